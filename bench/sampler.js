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
import { readCredentials, urlFor } from '../dist/provisioning/data-dir.js';
import { sampleAll } from '../dist/provisioning/sampler.js';
import { CLI, fmt, stop, tempDir, up } from './lib.js';

const DATABASES = Number(process.env.BENCH_DATABASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const run = promisify(execFile);

/**
 * DATABASES databases created in bulk (CREATE DATABASE as the superuser, far
 * quicker than one ensureIndividualDatabase each) and registered as
 * individual databases in provisioning.databases: what the sampler reads.
 */
async function createDatabases(superuserUrl) {
  const su = new pg.Client({ connectionString: superuserUrl });
  await su.connect();
  try {
    for (let i = 0; i < DATABASES; i++) {
      const owner = `bench-${String(i).padStart(4, '0')}`;
      const name = `dev_bench_${String(i).padStart(4, '0')}`;
      await su.query(`CREATE DATABASE ${name}`);
      await su.query(
        `INSERT INTO provisioning.databases (db_name, db_type, owner_username) VALUES ($1, 'individual', $2)`,
        [name, owner],
      );
      if (i % 100 === 99) process.stderr.write('.');
    }
  } finally {
    await su.end();
  }
  process.stderr.write('\n');
}

async function main() {
  const dir = await tempDir();
  const dataDir = path.join(dir, 'data');
  const { child } = await up(dataDir);
  try {
    const adminUrl = (await run('node', [CLI, 'admin-url', '--data-dir', dataDir])).stdout.trim();
    const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    try {
      // The running `devdb up` would sample too: not during the measurement.
      await pool.query(
        `INSERT INTO provisioning.settings (key, value) VALUES ('schedule_sampler', 'off')
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      );
      const created = performance.now();
      await createDatabases(urlFor(await readCredentials(dataDir), 'superuser', 'devdb'));
      const creation = performance.now() - created;
      // Every size measured: the first pass, and each hour.
      const full = [];
      for (let i = 0; i < Math.max(3, RUNS / 3); i++) {
        const started = performance.now();
        await sampleAll(pool, { now: new Date(Date.now() + i * 3_700_000) });
        full.push(performance.now() - started);
      }
      // Every 5 minutes in between: idle databases' sizes repeated.
      const base = Date.now() + 1_000 * 3_700_000;
      await sampleAll(pool, { now: new Date(base) });
      const passes = [];
      let result;
      for (let i = 1; i <= RUNS; i++) {
        const started = performance.now();
        result = await sampleAll(pool, { now: new Date(base + i * 300_000) });
        passes.push(performance.now() - started);
      }
      console.log(
        `created and registered ${DATABASES} databases in ${(creation / 1000).toFixed(1)} s`,
      );
      console.log(
        `sampler, a pass over ${result.databases} databases, every size measured:  ${fmt(full)}`,
      );
      console.log(
        `sampler, a 5-minute pass over ${result.databases} idle databases (sizes repeated): ${fmt(passes)}`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
