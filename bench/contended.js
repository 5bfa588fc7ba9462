// Contended attach: 20 `terraform apply` processes, started together, each attaching
// its own workspace to the same new team database, against a single apply (a new
// team each time, median of a few) measured in the same run. Prints the batch's
// wall time, the per-apply times, their ratio to the single apply, the CPU the
// applies used (terraform + plugins), each apply's ApplyResourceChange RPC, and what
// the server's sessions were waiting on (pg_stat_activity sampled every 20 ms).
// Run after `npm run build`: node bench/contended.js
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { CLI, fmt, median, stop, tempDir, up } from './lib.js';

const SINGLE_RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 20);
const SAMPLE_MS = 20;
const run = promisify(execFile);

const CONFIG = `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
variable "team" { type = string }
variable "owner" { type = string }
variable "workspace_id" { type = string }
resource "devdb_database" "db" {
  type         = "team"
  team         = var.team
  owner        = var.owner
  workspace_id = var.workspace_id
}
`;

/** CPU seconds used by this process's reaped children (terraform and its plugins). */
async function childrenCpuSeconds() {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in ticks
}

/** utime + stime (seconds) and parent of a process, from /proc (undefined once gone). */
async function procStat(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { comm, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return undefined;
  }
}

/**
 * Polls /proc for the provider plugins (node processes running the bundle) and
 * keeps the last CPU time seen for each: their total is a slight undercount (the
 * last poll interval of each). Counts the launches too.
 */
function pollPlugins() {
  const seen = new Map();
  const others = new Set(); // pid:comm of processes that are no plugin
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const stat = await procStat(pid);
        if (!stat || others.has(`${pid}:${stat.comm}`)) continue;
        if (!seen.has(pid)) {
          const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          const parent = await procStat(stat.ppid); // ours: started by a terraform we started
          if (
            stat.comm !== 'node' ||
            !cmdline.includes('terraform-provider-devdb') ||
            parent?.ppid !== process.pid
          ) {
            others.add(`${pid}:${stat.comm}`);
            continue;
          }
        }
        seen.set(pid, stat.cpu);
      }
      await sleep(25);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { launches: seen.size, cpu: [...seen.values()].reduce((a, b) => a + b, 0) };
  };
}

/** CPU seconds of the PostgreSQL server so far: the postmaster with its reaped backends. */
async function serverCpuSeconds(postmasterPid) {
  const stat = await readFile(`/proc/${postmasterPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

/** Working dirs sharing one `terraform init` (the .terraform dir is copied). */
async function workdirs(root, count, env) {
  const dirs = [];
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `w${i}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'main.tf'), CONFIG);
    if (i === 0) {
      await run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env });
    } else {
      await cp(path.join(dirs[0], '.terraform'), path.join(dir, '.terraform'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      await cp(path.join(dirs[0], '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
    }
    dirs.push(dir);
  }
  return dirs;
}

/** One `terraform apply`: its wall time and the plugin's ApplyResourceChange RPC time. */
async function apply(dir, vars, env) {
  const logFile = path.join(dir, 'apply.log');
  const args = ['apply', '-auto-approve', '-input=false', '-no-color'];
  for (const [key, value] of Object.entries(vars)) args.push('-var', `${key}=${value}`);
  const started = performance.now();
  await run('terraform', args, {
    cwd: dir,
    env: { ...env, TF_LOG_PROVIDER: 'debug', TF_LOG_PATH: logFile },
    maxBuffer: 1 << 26,
  });
  const ms = performance.now() - started;
  const log = await readFile(logFile, 'utf8');
  const rpc = /ApplyResourceChange done[^\n]*?(?:ms=|"ms":)(\d+)/.exec(log);
  return { ms, rpcMs: rpc ? Number(rpc[1]) : NaN };
}

/** Samples what every other session of the server waits on until stopped. */
function sampleWaits(url) {
  const client = new pg.Client({ connectionString: url });
  const counts = new Map();
  let samples = 0;
  let maxSessions = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS what,
                application_name AS app, count(*)::int AS n
           FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state = 'active'
          GROUP BY 1, 2`,
      );
      const { rows: total } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`,
      );
      maxSessions = Math.max(maxSessions, total[0].n);
      samples++;
      for (const row of rows) {
        const key = `${row.app || '?'} ${row.what}`;
        counts.set(key, (counts.get(key) ?? 0) + row.n);
      }
      await sleep(SAMPLE_MS);
    }
    await client.end();
  })();
  return async () => {
    running = false;
    await loop;
    return { samples, counts, maxSessions };
  };
}

function printWaits({ samples, counts, maxSessions }) {
  console.log(`  server sessions waiting, from ${samples} samples (every ${SAMPLE_MS} ms; `);
  console.log(
    `  "n" = average number of active sessions in that state; at most ${maxSessions} sessions):`,
  );
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  for (const [key, n] of rows) console.log(`    ${(n / samples).toFixed(2).padStart(6)}  ${key}`);
}

/**
 * Runs `work` and says where the CPU went meanwhile: terraform itself, the provider
 * plugins (their launches too) and the PostgreSQL server.
 */
async function measured(postmasterPid, work) {
  const stopPolling = pollPlugins();
  const children = await childrenCpuSeconds();
  const server = await serverCpuSeconds(postmasterPid);
  const started = performance.now();
  const result = await work();
  const wall = performance.now() - started;
  const plugins = await stopPolling();
  const total = (await childrenCpuSeconds()) - children;
  return {
    result,
    wall,
    cpu: {
      terraform: total - plugins.cpu,
      plugins: plugins.cpu,
      launches: plugins.launches,
      server: (await serverCpuSeconds(postmasterPid)) - server,
    },
  };
}

const cpuLine = ({ terraform, plugins, launches, server }, per) =>
  `terraform ${((terraform * 1000) / per).toFixed(0)} ms, plugins ${((plugins * 1000) / per).toFixed(0)} ms ` +
  `(${(launches / per).toFixed(1)} launches), PostgreSQL ${((server * 1000) / per).toFixed(0)} ms`;

/**
 * The server's share alone: the same attaches through the provisioning API, one
 * connection each (as separate plugins have), without terraform or plugin start-up.
 */
async function sqlAttaches(adminUrl) {
  const endpoint = { host: '127.0.0.1', port: Number(new URL(adminUrl).port) };
  const clients = await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      return client;
    }),
  );
  const attach = async (client, team, owner, workspaceId) => {
    const started = performance.now();
    await attachWorkspace(client, endpoint, { type: 'team', team, owner, workspaceId });
    return performance.now() - started;
  };
  try {
    const single = [];
    for (let i = 0; i < SINGLE_RUNS; i++)
      single.push(await attach(clients[0], `sql-solo-${i}`, 'solo', `s-${i}`));
    const started = performance.now();
    const batch = await Promise.all(
      clients.map((c, i) => attach(c, 'sql-crowd', `user-${i}`, `sc-${i}`)),
    );
    return { single, batch, wall: performance.now() - started };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function main() {
  const root = await tempDir('devdb-bench-contended-');
  const dataDir = path.join(root, 'data');
  const server = await up(dataDir);
  try {
    const { stdout } = await run('node', [CLI, 'admin-url', '--data-dir', dataDir]);
    const adminUrl = stdout.trim();
    const postmasterPid = Number(
      (await readFile(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const env = {
      ...process.env,
      DEVDB_ADMIN_URL: adminUrl,
      TF_CLI_CONFIG_FILE: path.join(dataDir, 'terraform', 'terraform.rc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    };
    const dirs = await workdirs(root, CONCURRENT + SINGLE_RUNS, env);
    const solo = dirs.slice(CONCURRENT);
    const crowd = dirs.slice(0, CONCURRENT);

    const sql = await sqlAttaches(adminUrl);
    const single = await measured(postmasterPid, async () => {
      const applies = [];
      for (const [i, dir] of solo.entries()) {
        applies.push(
          await apply(dir, { team: `solo-${i}`, owner: 'solo', workspace_id: `solo-${i}` }, env),
        );
        process.stderr.write('.');
      }
      return applies;
    });

    const stopSampling = sampleWaits(adminUrl);
    const batch = await measured(postmasterPid, () =>
      Promise.all(
        crowd.map((dir, i) =>
          apply(dir, { team: 'crowd', owner: `user-${i}`, workspace_id: `crowd-${i}` }, env),
        ),
      ),
    );
    const waits = await stopSampling();
    process.stderr.write('\n');

    const baseline = median(single.result.map((s) => s.ms));
    console.log(
      `single terraform apply (new team database):        ${fmt(single.result.map((s) => s.ms))}`,
    );
    console.log(
      `  its ApplyResourceChange RPC:                      ${fmt(single.result.map((s) => s.rpcMs))}`,
    );
    console.log(`  CPU per apply: ${cpuLine(single.cpu, SINGLE_RUNS)}`);
    console.log(
      `${CONCURRENT} concurrent applies, one new team, wall:         ${batch.wall.toFixed(0)} ms`,
    );
    console.log(
      `  per apply:                                        ${fmt(batch.result.map((b) => b.ms))}`,
    );
    console.log(
      `  their ApplyResourceChange RPCs:                   ${fmt(batch.result.map((b) => b.rpcMs))}`,
    );
    console.log(`  CPU per apply: ${cpuLine(batch.cpu, CONCURRENT)}`);
    console.log(
      `  ratio batch wall / single apply:                  ${(batch.wall / baseline).toFixed(2)}×`,
    );
    printWaits(waits);
    console.log(`the server's share: attachWorkspace() on its own connection, no terraform:`);
    console.log(`  single attach (new team database):               ${fmt(sql.single)}`);
    console.log(
      `  ${CONCURRENT} concurrent attaches, one new team, wall:      ${sql.wall.toFixed(0)} ms`,
    );
    console.log(`  per attach:                                       ${fmt(sql.batch)}`);
    console.log(
      `  ratio batch wall / single attach:                 ${(sql.wall / median(sql.single)).toFixed(2)}×`,
    );
  } finally {
    await stop(server.child);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
