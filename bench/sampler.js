// The sampler (issue 12): one pass of sampleAll over 1,000 DevDB databases —
// pg_stat_database and pg_stat_activity read once, the access rule applied to
// all, 1,000 samples written (with pg_database_size each where measured: every
// one with the budget lifted, sampler_size_budget of them by default), old ones
// pruned — in one SQL function call. Median of BENCH_RUNS passes, against `devdb up`.
// Run after `npm run build`: node bench/sampler.js
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sampleAll } from '../dist/provisioning/access/index.js';
import { createRegisteredDatabases, fmt, serverClock, withDevdbUp } from './lib.js';

const DATABASES = Number(process.env.BENCH_DATABASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

async function passes({ credentials, adminUrl }) {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  // Each pass at a time of its own: the server's clock is set (a pass's time is never the client's).
  const clock = await serverClock(credentials);
  const sampleAt = async (at) => {
    await clock.set(at);
    return sampleAll(pool);
  };
  try {
    // The running `devdb up` would sample too: not during the measurement.
    await pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ('schedule_sampler', 'off')
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
    const created = performance.now();
    await createRegisteredDatabases(credentials, { count: DATABASES, prefix: 'dev_bench' });
    const creation = performance.now() - created;
    const budget = (value) =>
      pool.query(
        `INSERT INTO provisioning.settings (key, value) VALUES ('sampler_size_budget', $1)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [value],
      );
    // Every size measured (the budget lifted): what a pass over databases all due costs.
    await budget('1000000');
    const full = [];
    for (let i = 0; i < Math.max(3, RUNS / 3); i++) {
      const started = performance.now();
      await sampleAt(new Date(Date.now() + i * 3_700_000));
      full.push(performance.now() - started);
    }
    // The default budget: every database due (over an hour since its size), 250 measured.
    await pool.query(`DELETE FROM provisioning.settings WHERE key = 'sampler_size_budget'`);
    const due = [];
    let dueResult;
    for (let i = 0; i < Math.max(3, RUNS / 3); i++) {
      const started = performance.now();
      dueResult = await sampleAt(new Date(Date.now() + (100 + i * 2) * 3_700_000));
      due.push(performance.now() - started);
    }
    // Every 5 minutes in between: idle databases' sizes repeated.
    const base = Date.now() + 1_000 * 3_700_000;
    await budget('1000000');
    await sampleAt(new Date(base));
    await pool.query(`DELETE FROM provisioning.settings WHERE key = 'sampler_size_budget'`);
    const passes = [];
    let result;
    for (let i = 1; i <= RUNS; i++) {
      const started = performance.now();
      result = await sampleAt(new Date(base + i * 300_000));
      passes.push(performance.now() - started);
    }
    console.log(
      `created and registered ${DATABASES} databases in ${(creation / 1000).toFixed(1)} s`,
    );
    console.log(
      `sampler, a pass over ${result.databases} databases, every size measured (no budget):  ${fmt(full)}`,
    );
    console.log(
      `sampler, a pass over ${result.databases} databases all due, default budget (${dueResult.measured} measured): ${fmt(due)}`,
    );
    console.log(
      `sampler, a 5-minute pass over ${result.databases} idle databases (sizes repeated): ${fmt(passes)}`,
    );
  } finally {
    await clock.close();
    await pool.end();
  }
}

await withDevdbUp(passes);
