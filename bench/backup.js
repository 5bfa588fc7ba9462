// Backup throughput (issue 11): a database of BENCH_BACKUP_MIB MiB (default 1024)
// on Debian's PostgreSQL N with its own pg_dump N, in one run: plain
// `pg_dump -Fc > /dev/null` against `devdb backup` encrypted (age to one X25519
// recipient, sha256, written and fsynced), alternating, BENCH_BACKUP_RUNS times
// each (default 2); then `devdb backup verify` of the last backup (checksum,
// pg_restore --list, trial restore, row counts). Throughput is the database's
// size (pg_database_size) over the wall time; the goal is devdb/pg_dump ≥ 0.8.
// Run after `npm run build`: node bench/backup.js (or npm run bench:backup).
import { execFile, spawn } from 'node:child_process';
import { access, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { CLI, median, tempDir } from './lib.js';

const TARGET_MIB = Number(process.env.BENCH_BACKUP_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_BACKUP_RUNS ?? 2);
const ROW_BYTES = 1024; // 32 distinct md5 hex strings: compresses about as well as text data does
const BATCH_ROWS = 50_000;
const run = promisify(execFile);

const {
  bootstrap,
  candidateTools,
  CENTRAL_DATABASE,
  configureLoopback,
  ensureIndividualDatabase,
  generateAgeKeyPair,
  generatePassword,
  migrate,
  PROVISIONER_ROLE,
} = await import('../dist/provisioning/index.js');

/** Debian's server whose major equals the newest pg_dump here (pg_dump refuses newer servers). */
async function debianServer() {
  const tools = (await candidateTools()).sort((a, b) => b.major - a.major)[0];
  if (!tools) throw new Error('no pg_dump/pg_restore here: install postgresql-client-15 (or -17)');
  const bin = `/usr/lib/postgresql/${tools.major}/bin`;
  await access(path.join(bin, 'postgres')).catch(() => {
    throw new Error(
      `no PostgreSQL ${tools.major} server in ${bin}: install postgresql-${tools.major}`,
    );
  });
  return { tools, bin };
}

const { tools, bin } = await debianServer();
// Read once by the embedded-cluster module, at import: the Debian server, not the embedded 17.
process.env.DEVDB_PG_BIN_DIR = bin;
const { initCluster, startCluster } = await import('../dist/server/embedded/index.js');

const mib = (bytes) => bytes / 1024 / 1024;
const url = (host, port, user, password, db) =>
  `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${db}`;

/** Fills `table` with ~1 KiB rows until the database reaches TARGET_MIB. */
async function fill(client, database) {
  await client.query(`SET ROLE ${database}`);
  await client.query(`CREATE TABLE wide (id bigint PRIMARY KEY, payload text NOT NULL)`);
  const rows = Math.ceil((TARGET_MIB * 1024 * 1024) / (ROW_BYTES + 60));
  for (let from = 1; from <= rows; from += BATCH_ROWS) {
    const to = Math.min(rows, from + BATCH_ROWS - 1);
    await client.query(
      `INSERT INTO wide SELECT g, (SELECT string_agg(md5(g::text || '/' || i), '')
                                     FROM generate_series(1, ${ROW_BYTES / 32}) i)
         FROM generate_series($1::bigint, $2::bigint) g`,
      [from, to],
    );
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  // Hint bits set and pages frozen now, so neither measured read pays for them.
  await client.query('RESET ROLE');
  await client.query('VACUUM (FREEZE, ANALYZE) wide');
  return rows;
}

/** `pg_dump -Fc` of the database into /dev/null; resolves with the wall ms. */
async function plainDump(endpoint, database) {
  const sink = await open('/dev/null', 'w');
  const started = performance.now();
  try {
    const child = spawn(tools.pgDump, ['-Fc', '--no-password', `--role=${database}`], {
      env: {
        ...process.env,
        PGHOST: endpoint.host,
        PGPORT: String(endpoint.port),
        PGUSER: PROVISIONER_ROLE,
        PGPASSWORD: endpoint.password,
        PGDATABASE: database,
      },
      stdio: ['ignore', sink.fd, 'inherit'],
    });
    const code = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
    return performance.now() - started;
  } finally {
    await sink.close();
  }
}

/** The devdb CLI, timed; resolves with its parsed --json output and the wall ms. */
async function devdb(args) {
  const started = performance.now();
  const { stdout } = await run('node', [CLI, ...args, '--json'], { maxBuffer: 1 << 24 });
  return { ms: performance.now() - started, out: JSON.parse(stdout) };
}

async function main() {
  const root = await tempDir('devdb-bench-backup-');
  let server;
  try {
    const superPassword = generatePassword();
    const dataDir = path.join(root, 'pgdata');
    await initCluster({ dataDir, superuser: 'bench_admin', superuserPassword: superPassword });
    server = await startCluster({ dataDir, port: 0 });
    const { host, port } = server;
    const provisionerPassword = generatePassword();
    await bootstrap(url(host, port, 'bench_admin', superPassword, 'postgres'), {
      provisionerPassword,
    });
    const adminUrl = url(host, port, PROVISIONER_ROLE, provisionerPassword, CENTRAL_DATABASE);
    const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    pool.on('error', () => undefined);
    const database = 'dev_bench';
    let size;
    let rows;
    try {
      const migrator = await pool.connect();
      try {
        await migrate(migrator);
        await configureLoopback(migrator, { host, port, password: provisionerPassword });
      } finally {
        migrator.release();
      }
      await ensureIndividualDatabase(pool, { owner: 'bench' });
      const filler = new pg.Client({
        connectionString: url(host, port, 'bench_admin', superPassword, database),
      });
      await filler.connect();
      const filling = performance.now();
      try {
        rows = await fill(filler, database);
      } finally {
        await filler.end();
      }
      process.stderr.write(`filled in ${((performance.now() - filling) / 1000).toFixed(0)} s\n`);
      const { rows: sized } = await pool.query(`SELECT pg_database_size($1)::float8 AS b`, [
        database,
      ]);
      size = sized[0].b;
    } finally {
      await pool.end();
    }

    const keys = await generateAgeKeyPair();
    const identityFile = path.join(root, 'identity.txt');
    await writeFile(identityFile, `${keys.identity}\n`, { mode: 0o600 });
    const store = path.join(root, 'store');
    const common = ['--admin-url', adminUrl];
    const endpoint = { host, port, password: provisionerPassword };
    const plain = [];
    const backed = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      plain.push(await plainDump(endpoint, database));
      const backup = await devdb([
        'backup',
        database,
        '--dir',
        store,
        '--recipient',
        keys.recipient,
        ...common,
      ]);
      backed.push(backup.ms);
      if (last) await rm(last.file, { force: true });
      last = backup.out[0];
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    const verify = await devdb([
      'backup',
      'verify',
      String(last.id),
      '--identity',
      identityFile,
      ...common,
    ]);
    if (!verify.out.every((r) => r.ok))
      throw new Error(`verify failed: ${JSON.stringify(verify.out)}`);

    const rate = (ms) => mib(size) / (ms / 1000);
    const dumpRate = rate(median(plain));
    const devdbRate = rate(median(backed));
    const pgVersion = `PostgreSQL ${tools.major} (${bin}), pg_dump ${tools.major}`;
    console.log(
      `database: ${mib(size).toFixed(0)} MiB on disk, ${rows} rows of ~1 KiB; ${pgVersion}`,
    );
    console.log(
      `pg_dump -Fc > /dev/null:            ${dumpRate.toFixed(1)} MiB/s (median ${(median(plain) / 1000).toFixed(1)} s of ${plain.map((ms) => (ms / 1000).toFixed(1)).join(', ')})`,
    );
    console.log(
      `devdb backup (age + sha256, fsync): ${devdbRate.toFixed(1)} MiB/s (median ${(median(backed) / 1000).toFixed(1)} s of ${backed.map((ms) => (ms / 1000).toFixed(1)).join(', ')}; ${mib(last.bytes).toFixed(0)} MiB stored)`,
    );
    console.log(`ratio devdb / pg_dump: ${(devdbRate / dumpRate).toFixed(2)} (goal ≥ 0.8)`);
    console.log(
      `devdb backup verify (checksum, --list, trial restore, row counts): ${(verify.ms / 1000).toFixed(1)} s`,
    );
  } finally {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
