// The sampler (issue 12): one pass of sampleAll over 1,000 DevDB databases —
// pg_stat_database and pg_stat_activity read once, the access rule applied to
// all, 1,000 samples written (with pg_database_size each), old ones pruned —
// in one SQL function call. Median of BENCH_RUNS passes, against `devdb up`.
// Run after `npm run build`: node bench/sampler.js
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureIndividualDatabase } from '../dist/provisioning/databases.js';
import { sampleAll } from '../dist/provisioning/sampler.js';
import { CLI, fmt, stop, tempDir, up } from './lib.js';

const DATABASES = Number(process.env.BENCH_DATABASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CREATORS = 4;
const run = promisify(execFile);

/** DATABASES individual databases, created and registered by the provisioning API. */
async function createDatabases(pool) {
  let next = 0;
  const creator = async () => {
    while (next < DATABASES) {
      const i = next++;
      await ensureIndividualDatabase(pool, { owner: `bench-${String(i).padStart(4, '0')}` });
      if (i % 100 === 99) process.stderr.write('.');
    }
  };
  await Promise.all(Array.from({ length: CREATORS }, creator));
  process.stderr.write('\n');
}

async function main() {
  const dir = await tempDir();
  const dataDir = path.join(dir, 'data');
  const { child } = await up(dataDir);
  try {
    const adminUrl = (await run('node', [CLI, 'admin-url', '--data-dir', dataDir])).stdout.trim();
    const pool = new pg.Pool({ connectionString: adminUrl, max: CREATORS + 1 });
    try {
      // The running `devdb up` would sample too: not during the measurement.
      await pool.query(
        `INSERT INTO provisioning.settings (key, value) VALUES ('schedule_sampler', 'off')
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      );
      const created = performance.now();
      await createDatabases(pool);
      const creation = performance.now() - created;
      const passes = [];
      let result;
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        result = await sampleAll(pool, { now: new Date(Date.now() + i * 300_000) });
        passes.push(performance.now() - started);
      }
      console.log(`created and registered ${DATABASES} databases in ${(creation / 1000).toFixed(1)} s`);
      console.log(`sampler, one pass over ${result.databases} databases: ${fmt(passes)}`);
    } finally {
      await pool.end();
    }
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
