// Shared by the benchmarks: statistics, temp dirs, a real `devdb up` to measure against,
// and databases registered in bulk.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { readCredentials, urlFor } from '../dist/provisioning/schema/index.js';

export const CLI = path.resolve('dist/server/cli.js');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export const fmt = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

/** A temp dir PostgreSQL (run unprivileged when we are root) can enter. */
export async function tempDir(prefix = 'devdb-bench-') {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

// Every `devdb up` still running is stopped on the way out, even after a failure.
const running = new Set();
process.on('exit', () => running.forEach((child) => child.kill('SIGTERM')));

/** Spawns `devdb up` and resolves with its wall time to "DevDB is running". */
export function up(dataDir) {
  const started = performance.now();
  const child = spawn('node', [CLI, 'up', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The control plane on a free port: never contending for 7432 with a real one.
    env: { DEVDB_API_LISTEN: '127.0.0.1:0', ...process.env },
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('DevDB is running')) resolve({ child, ms: performance.now() - started });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`devdb up exited ${code}: ${output}`)));
  });
}

export const stop = (child) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/**
 * A real `devdb up` in a temp dir for `fn({ dataDir, credentials, adminUrl })`
 * (adminUrl: the provisioner's); stopped and its dir removed afterwards, even
 * when `fn` fails.
 */
export async function withDevdbUp(fn) {
  const dir = await tempDir();
  const dataDir = path.join(dir, 'data');
  const { child } = await up(dataDir);
  try {
    const credentials = await readCredentials(dataDir);
    return await fn({ dataDir, credentials, adminUrl: urlFor(credentials, 'provisioner') });
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `count` real databases `${prefix}0000`… registered as DevDB's individual
 * databases, made in bulk as the superuser (ensure_database's lock-down per
 * database would take minutes and is not what the benchmarks measure): an owner
 * role, the database, its registry row; `concurrency` at a time, a dot per 100.
 */
export async function createRegisteredDatabases(credentials, { count, prefix, concurrency = 4 }) {
  const superuser = new pg.Pool({
    connectionString: urlFor(credentials, 'superuser'),
    max: concurrency,
  });
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const name = `${prefix}${String(next++).padStart(4, '0')}`;
        await superuser.query(`CREATE ROLE ${name} NOLOGIN`);
        await superuser.query(`CREATE DATABASE ${name} OWNER ${name}`);
        await superuser.query(
          `INSERT INTO provisioning.databases (db_name, db_type, owner_username) VALUES ($1, 'individual', $2)`,
          [name, name.slice(4)],
        );
        if (next % 100 === 0) process.stderr.write('.');
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    process.stderr.write('\n');
  } finally {
    await superuser.end();
  }
}

/**
 * DevDB's clock on a benchmark's server (provisioning._now(), helpers.sql): as
 * the tests do, a superuser-owned devdb_test.clock sets it, so a pass can run at
 * any time without a client's clock deciding anything. `set(at)`, then `close()`.
 */
export async function serverClock(credentials) {
  const client = new pg.Client({ connectionString: urlFor(credentials, 'superuser') });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS devdb_test;
    CREATE TABLE IF NOT EXISTS devdb_test.clock (frozen_at timestamptz, shift interval NOT NULL DEFAULT '0');
    GRANT USAGE ON SCHEMA devdb_test TO PUBLIC;
    GRANT SELECT ON devdb_test.clock TO PUBLIC`);
  return {
    async set(at) {
      await client.query('BEGIN');
      await client.query('DELETE FROM devdb_test.clock');
      await client.query('INSERT INTO devdb_test.clock (frozen_at) VALUES ($1)', [at]);
      await client.query('COMMIT');
    },
    async close() {
      await client.query('DROP SCHEMA devdb_test CASCADE').catch(() => undefined);
      await client.end();
    },
  };
}
