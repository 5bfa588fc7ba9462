// Scale (issue 15): DevDB with 1,000 databases against DevDB with none, in one run:
// - attach latency (attachWorkspace(): a new individual database, and a second
//   workspace on an existing one) on a `devdb up` with BENCH_DATABASES databases,
//   interleaved with the same on a second `devdb up` with none (and on the first
//   one before its databases were made);
// On the first: wall time of the CLI's `devdb list`, `devdb summary` and `devdb orphans` (the
//   latter against the tests' stand-in Coder API, test/coder-api/server.ts, bundled
//   with esbuild: a Coder user and a live workspace per database, 5% of the
//   workspaces deleted), before any sample is recorded and once the sampler has
//   sized every database;
// - sampler passes (sampleAll): the first over databases never sized, until all
//   are, then a 5-minute pass;
// - one tick of the dashboard's live feed (LiveFeed.tick, in process);
// - the server's disk per empty database: the data directory's growth (du, after a
//   CHECKPOINT) and pg_database_size, each divided by the databases made.
// Run after `npm run build`: node bench/scale.js (BENCH_DATABASES=200 for a quick one).
import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import pg from 'pg';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { listDatabases, summarize } from '../dist/provisioning/databases/index.js';
import { sampleAll } from '../dist/provisioning/access/index.js';
import { CoderClient } from '../dist/server/coder/client.js';
import { findOrphans } from '../dist/server/coder/orphans.js';
import { urlFor } from '../dist/provisioning/schema/index.js';
import { LiveFeed } from '../dist/server/api/live.js';
import {
  CLI,
  createRegisteredDatabases,
  fmt,
  median,
  serverClock,
  tempDir,
  withDevdbUp,
} from './lib.js';

const DATABASES = Number(process.env.BENCH_DATABASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ATTACHES = Number(process.env.BENCH_ATTACHES ?? 10);
const PREFIX = 'dev_scale';

/** The tests' stand-in Coder API, bundled for plain Node. */
async function coderStandIn() {
  const dir = await tempDir('devdb-bench-coder-');
  const outfile = path.join(dir, 'coder-api.mjs');
  await build({
    entryPoints: ['test/coder-api/server.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'error',
  });
  const { startCoderApiStandIn } = await import(outfile);
  await rm(dir, { recursive: true, force: true });
  return startCoderApiStandIn();
}

const timed = async (fn) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

/** Wall time of a CLI command, spawn to exit (its output discarded). */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('node', [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      // `devdb orphans` exits 0 with no findings, 3 with some (see its help): both ran.
      if (code === 0 || (args[0] === 'orphans' && code === 3)) resolve(performance.now() - started);
      else reject(new Error(`devdb ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

async function runs(n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await fn(i));
  return xs;
}

/**
 * Attaches on each target in turn (interleaved: the machine's load falls on all
 * alike): a new individual database each time, then a second workspace on it.
 */
async function attaches(targets) {
  const out = targets.map(() => ({ created: [], second: [] }));
  for (let i = 0; i < ATTACHES; i++) {
    for (const [t, { pool, endpoint, label }] of targets.entries()) {
      const owner = `bench-${label}-${i}`;
      const attach = (workspaceId) =>
        timed(() => attachWorkspace(pool, endpoint, { type: 'individual', owner, workspaceId }));
      out[t].created.push(await attach(`${label}-${i}-a`));
      out[t].second.push(await attach(`${label}-${i}-b`));
    }
  }
  return out;
}

/** A fresh `devdb up`'s pool, its sampler off (the measurements run passes themselves), warmed up. */
async function prepare(adminUrl) {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 6 });
  // Idle clients see the server stop at the end: not an error here.
  pool.on('error', () => {});
  await pool.query(
    `INSERT INTO provisioning.settings (key, value) VALUES ('schedule_sampler', 'off')
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
  const endpoint = { host: '127.0.0.1', port: Number(new URL(adminUrl).port) };
  for (let i = 0; i < 3; i++) {
    await attachWorkspace(pool, endpoint, {
      type: 'individual',
      owner: `warm-${i}`,
      workspaceId: `warm-${i}`,
    });
  }
  return { pool, endpoint };
}

const du = async (dir) => {
  const { stdout } = await promisify(execFile)('du', ['-s', '--block-size=1', dir]);
  return Number(stdout.split(/\s/)[0]);
};

/** Each database a Coder user (its owner_id) and a live workspace attached; 5% of those deleted. */
async function wireToCoder(pool, coder) {
  const { rows } = await pool.query(
    `SELECT db_name, owner_username FROM provisioning.databases WHERE db_name LIKE $1 ORDER BY 1`,
    [`${PREFIX}%`],
  );
  const ids = [];
  const workspaces = [];
  rows.forEach((row, i) => {
    const user = coder.addUser({ username: row.owner_username });
    const workspace = coder.addWorkspace({ name: `ws-${i}`, ownerId: user.id });
    if (i % 20 === 0) coder.deleteWorkspace(workspace.id);
    ids.push(user.id);
    workspaces.push(workspace.id);
  });
  await pool.query(
    `WITH w AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS w(db_name, owner_id, workspace_id)),
          d AS (UPDATE provisioning.databases d SET owner_id = w.owner_id FROM w
                 WHERE d.db_name = w.db_name RETURNING d.db_name, d.owner_username),
          u AS (INSERT INTO provisioning.db_users (username, db_name, access_level)
                SELECT owner_username, db_name, 'owner' FROM d)
     INSERT INTO provisioning.attachments (db_name, workspace_id, workspace_name, owner_username, login_role)
     SELECT w.db_name, w.workspace_id, 'ws', d.owner_username, w.db_name || '_ws'
       FROM w JOIN d USING (db_name)`,
    [rows.map((r) => r.db_name), ids, workspaces],
  );
}

/** The CLI's wall time (Node start-up included), and the same work in process. */
async function adminCommands(pool, coder, env, label) {
  const out = {};
  for (const command of ['list', 'summary', 'orphans'])
    out[command] = await runs(RUNS, () => cli([command], env));
  const client = new CoderClient({
    url: coder.url,
    token: coder.token,
    tokenSource: 'bench',
    urlSource: 'bench',
  });
  try {
    out['listDatabases()'] = await runs(RUNS, () => timed(() => listDatabases(pool)));
    out['summarize()'] = await runs(RUNS, () => timed(() => summarize(pool)));
    out['findOrphans()'] = await runs(RUNS, () =>
      timed(() => findOrphans(pool, { coder: client })),
    );
  } finally {
    await client.close();
  }
  for (const [command, xs] of Object.entries(out)) console.log(`${command}, ${label}: ${fmt(xs)}`);
  return out;
}

async function liveTick(pool) {
  const feed = new LiveFeed({ pool, intervalMs: 3_600_000 });
  const leave = feed.join({ send() {} });
  try {
    await feed.tick(); // the first one, started by join
    const ticks = await runs(RUNS, () => timed(() => feed.tick()));
    return { ticks, queries: feed.stats.lastTickQueries };
  } finally {
    leave();
    feed.close();
  }
}

async function scale({ dataDir, credentials, adminUrl }, emptyUrl) {
  const { pool, endpoint } = await prepare(adminUrl);
  const empty = await prepare(emptyUrl);
  const superuser = new pg.Pool({ connectionString: urlFor(credentials, 'superuser'), max: 1 });
  superuser.on('error', () => {});
  const coder = await coderStandIn();
  try {
    const [none] = await attaches([{ pool, endpoint, label: 'none' }]);

    await superuser.query('CHECKPOINT');
    const diskBefore = await du(dataDir);
    const creation = await timed(() =>
      createRegisteredDatabases(credentials, { count: DATABASES, prefix: PREFIX }),
    );
    await superuser.query('CHECKPOINT');
    const diskAfter = await du(dataDir);
    const { rows: sizes } = await pool.query(
      `SELECT avg(pg_database_size(datname))::float8 AS avg, min(pg_database_size(datname))::float8 AS min
         FROM pg_database WHERE datname LIKE $1`,
      [`${PREFIX}%`],
    );
    await wireToCoder(pool, coder);
    console.log(
      `created and registered ${DATABASES} databases in ${(creation / 1000).toFixed(1)} s`,
    );
    // Against a second `devdb up` with no other database, interleaved.
    const [emptyNow, many] = await attaches([
      { ...empty, label: 'empty' },
      { pool, endpoint, label: 'many' },
    ]);

    const env = {
      ...process.env,
      DEVDB_ADMIN_URL: adminUrl,
      CODER_URL: coder.url,
      CODER_SESSION_TOKEN: coder.token,
    };
    const floor = await runs(RUNS, () => cli(['--version'], env));
    const unsampled = await adminCommands(
      pool,
      coder,
      env,
      `${DATABASES} databases, no samples yet`,
    );
    const liveUnsampled = await liveTick(pool);

    // The sampler, as `devdb serve` runs it every 5 minutes, from the first pass
    // (no size recorded) until every database has one.
    // Each pass at its own time: the server's clock is set (a pass's time is never the client's).
    const clock = await serverClock(credentials);
    const base = Date.now();
    const first = [];
    let pass = 0;
    let result;
    for (;;) {
      const at = new Date(base + pass++ * 300_000);
      let ms = 0;
      await clock.set(at);
      ms = await timed(async () => (result = await sampleAll(pool)));
      first.push({ ms, measured: result.measured });
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM provisioning.samples WHERE at = $1 AND size_bytes IS NULL`,
        [at],
      );
      if (rows[0].n === 0 || pass > 20) break;
    }
    const regular = await runs(RUNS, async () => {
      await clock.set(new Date(base + pass++ * 300_000));
      return timed(() => sampleAll(pool));
    });
    await clock.close();
    const sampled = await adminCommands(pool, coder, env, `${DATABASES} databases, sampled`);
    const liveSampled = await liveTick(pool);

    const ratio = (a, b) => (median(a) / median(b)).toFixed(2);
    console.log('');
    for (const [what, key] of [
      ['new database', 'created'],
      ['2nd workspace', 'second'],
    ]) {
      console.log(`attach, ${what}, this server before (none): ${fmt(none[key])}`);
      console.log(`attach, ${what}, a server with none:        ${fmt(emptyNow[key])}`);
      console.log(`attach, ${what}, with ${DATABASES}:             ${fmt(many[key])}`);
      console.log(
        `attach, ${what}, ratio ${DATABASES} / none: ${ratio(many[key], emptyNow[key])} ` +
          `(interleaved), ${ratio(many[key], none[key])} (before and after on one server)`,
      );
    }
    for (const [label, xs] of [
      ['no samples', unsampled],
      ['sampled', sampled],
    ])
      for (const command of Object.keys(xs))
        console.log(`${command} (${label}): ${fmt(xs[command])}`);
    console.log(`devdb --version (the CLI's floor): ${fmt(floor)}`);
    first.forEach(({ ms, measured }, i) =>
      console.log(`sampler pass ${i + 1} from none sized: ${ms.toFixed(0)} ms, ${measured} sized`),
    );
    console.log(`sampler, a 5-minute pass: ${fmt(regular)}`);
    console.log(
      `live tick (no samples): ${fmt(liveUnsampled.ticks)}, ${liveUnsampled.queries} queries`,
    );
    console.log(`live tick (sampled): ${fmt(liveSampled.ticks)}, ${liveSampled.queries} queries`);
    console.log(
      `disk per empty database: data dir +${((diskAfter - diskBefore) / DATABASES / 2 ** 20).toFixed(2)} MiB; ` +
        `pg_database_size avg ${(sizes[0].avg / 2 ** 20).toFixed(2)} MiB (min ${(sizes[0].min / 2 ** 20).toFixed(2)})`,
    );
  } finally {
    await coder.close();
    await superuser.end();
    await pool.end();
    await empty.pool.end();
  }
}

await withDevdbUp((empty) => withDevdbUp((server) => scale(server, empty.adminUrl)));
