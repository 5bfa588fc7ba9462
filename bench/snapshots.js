// Snapshots (issue 26, docs/snapshots.md): for a ~1 GiB database (BENCH_SNAPSHOT_MB),
// DevDB's snapshot (CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY) and restore
// (a copy of the snapshot swapped in under the name) against the same round trip
// through `pg_dump -Fc` + `pg_restore`, with the ratio (goal ≥ 10×), on each
// server here: PostgreSQL 17 (embedded), 18 with file_copy_method = clone
// (node_modules/pg18, when installed), and Debian's 15 — the one server whose
// major a pg_dump here matches (pg_dump refuses a newer server), so the only
// one where the dump round trip can run. Prints the data directory's file
// system (`df -T`): clone shares blocks only on XFS/Btrfs. Run after `npm run build`.
import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { urlFor } from '../dist/provisioning/schema/index.js';
import { candidateTools } from '../dist/provisioning/backups/index.js';
import {
  ensureIndividualDatabase,
  restoreSnapshot,
  takeSnapshot,
} from '../dist/provisioning/index.js';
import { withDevdbUp } from './lib.js';

const run = promisify(execFile);
const MB = Number(process.env.BENCH_SNAPSHOT_MB ?? 1024);
const PG18 = path.resolve('node_modules/pg18/native/bin');
// BENCH_SNAPSHOT_SERVERS=18 (a comma-separated list of majors) runs only those; TMPDIR
// puts the data directories elsewhere (e.g. on an XFS mount, where clone shares blocks).
const ONLY = process.env.BENCH_SNAPSHOT_SERVERS?.split(',');
const SERVERS = [
  { major: '17', label: 'PostgreSQL 17 (embedded)', bin: undefined },
  { major: '18', label: 'PostgreSQL 18 (file_copy_method = clone)', bin: PG18 },
  { major: '15', label: 'PostgreSQL 15 (Debian)', bin: '/usr/lib/postgresql/15/bin' },
].filter((server) => !ONLY || ONLY.includes(server.major));

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function exec(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${err}`)),
    );
  });
}

/** The pg_dump/pg_restore of the server's major, if one is here. */
async function toolsFor(major) {
  return (await candidateTools()).find((t) => t.major === major);
}

async function bench({ dataDir, credentials, adminUrl }) {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  pool.on('error', () => undefined);
  const superUrl = (db) => urlFor(credentials, 'superuser', db);
  try {
    const { rows } = await pool.query(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int / 10000 AS major`,
    );
    const { version, major } = rows[0];
    await ensureIndividualDatabase(pool, { owner: 'bench' });
    const filler = new pg.Client({ connectionString: superUrl('dev_bench') });
    await filler.connect();
    await filler.query('SET ROLE dev_bench');
    const fill = await timed(() =>
      filler.query(
        `CREATE TABLE filler AS SELECT g AS id, repeat(md5(g::text), 30) AS body
           FROM generate_series(1, $1::int * 1000) g`,
        [MB],
      ),
    );
    await filler.query('RESET ROLE');
    await filler.query('VACUUM (FREEZE) filler');
    await filler.query('CHECKPOINT'); // at rest, as a real database is
    await filler.end();
    const size = await pool.query(`SELECT pg_database_size('dev_bench')::float8 AS bytes`);
    const mib = size.rows[0].bytes / 2 ** 20;
    const { stdout: df } = await run('df', ['-T', dataDir]);
    const fs = df.trim().split('\n').at(-1).split(/\s+/)[1];

    let method = 'file_copy';
    const snapshot = await timed(async () => {
      method = (await takeSnapshot(pool, { database: 'dev_bench', name: 'bench' })).method;
    });
    const restore = await timed(() =>
      restoreSnapshot(pool, { database: 'dev_bench', name: 'bench' }),
    );
    console.log(`${version}: dev_bench ${mib.toFixed(0)} MiB, data dir on ${fs} (${dataDir})`);
    console.log(`  filling it: ${seconds(fill)}`);
    console.log(`  snapshot (${method}): ${seconds(snapshot)}`);
    console.log(`  restore (copy + swap): ${seconds(restore)}`);
    console.log(`  snapshot + restore: ${seconds(snapshot + restore)}`);

    const tools = await toolsFor(major);
    if (!tools) {
      console.log(
        `  pg_dump -Fc + pg_restore: not run — no pg_dump ${major} here (pg_dump refuses a newer server; see the PostgreSQL 15 line for the ratio)`,
      );
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'devdb-bench-dump-'));
    try {
      const file = path.join(dir, 'dev_bench.dump');
      const dump = await timed(() =>
        exec(tools.pgDump, ['-Fc', '-f', file, '-d', superUrl('dev_bench')]),
      );
      const su = new pg.Client({ connectionString: superUrl('postgres') });
      await su.connect();
      await su.query('CREATE DATABASE bench_restored');
      await su.end();
      const pgRestore = await timed(() =>
        exec(tools.pgRestore, ['--no-owner', '-d', superUrl('bench_restored'), file]),
      );
      const roundTrip = dump + pgRestore;
      console.log(
        `  pg_dump -Fc ${seconds(dump)} + pg_restore ${seconds(pgRestore)} = ${seconds(roundTrip)}`,
      );
      console.log(
        `  ratio (dump + restore) ÷ (snapshot + restore): ${(roundTrip / (snapshot + restore)).toFixed(1)}× (goal ≥ 10×)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await pool.end();
  }
}

for (const server of SERVERS) {
  if (server.bin) {
    const there = await access(path.join(server.bin, 'postgres')).then(
      () => true,
      () => false,
    );
    if (!there) {
      console.log(`${server.label}: skipped — no server binaries in ${server.bin}`);
      continue;
    }
    process.env.DEVDB_PG_BIN_DIR = server.bin; // read by `devdb up`
  } else delete process.env.DEVDB_PG_BIN_DIR;
  console.log(`-- ${server.label}`);
  await withDevdbUp(bench).catch((error) => {
    console.log(`  failed: ${error.message}`);
    process.exitCode = 1;
  });
}
