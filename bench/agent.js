// devdb-agent (issue 5): cold start of `devdb-agent start` to files written
// (a fresh HOME each run, against `devdb up`), `heartbeat` and `status`, peak
// RSS (/usr/bin/time -v), and the bundle's size. Median of 20.
// Run after `npm run build`: node bench/agent.js
import { execFile } from 'node:child_process';
import { statSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { CLI, fmt, median, stop, tempDir, up } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const AGENT = path.resolve('dist/agent-bundle/devdb-agent');
const run = promisify(execFile);

async function timed(file, args, env) {
  const started = performance.now();
  await run(file, args, { env });
  return performance.now() - started;
}

/** Peak RSS in MB of one run, from GNU time's "Maximum resident set size (kbytes)". */
async function peakRssMb(args, env) {
  const { stderr } = await run('/usr/bin/time', ['-v', AGENT, ...args], { env });
  return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)[1]) / 1024;
}

async function attach(adminUrl) {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 1 });
  try {
    const endpoint = { host: '127.0.0.1', port: Number(new URL(adminUrl).port) };
    return await attachWorkspace(pool, endpoint, {
      type: 'individual',
      owner: 'bench-agent',
      workspaceId: 'bench-agent-ws',
    });
  } finally {
    await pool.end();
  }
}

async function main() {
  const root = await tempDir();
  const server = await up(path.join(root, 'data'));
  try {
    const { stdout } = await run('node', [CLI, 'admin-url', '--data-dir', path.join(root, 'data')]);
    const creds = await attach(stdout.trim());
    const workspace = (home) => ({
      PATH: process.env.PATH,
      HOME: home,
      ...creds.env,
      DEVDB_PASSWORD: creds.password,
    });
    const starts = [];
    const rss = { start: [], heartbeat: [], status: [] };
    for (let i = 0; i < RUNS; i++) {
      const home = await tempDir('devdb-agent-bench-');
      starts.push(await timed(AGENT, ['start'], workspace(home)));
      await rm(home, { recursive: true });
      process.stderr.write('.');
    }
    // heartbeat and status as a cron script runs them: settings and password from what start wrote.
    const home = await tempDir('devdb-agent-bench-');
    await run(AGENT, ['start'], { env: workspace(home) });
    const heartbeats = [];
    const statuses = [];
    const nodeFloor = [];
    for (let i = 0; i < RUNS; i++) {
      heartbeats.push(await timed(AGENT, ['heartbeat'], { PATH: process.env.PATH, HOME: home }));
      statuses.push(await timed(AGENT, ['status'], { PATH: process.env.PATH, HOME: home }));
      nodeFloor.push(await timed(process.execPath, ['-e', '0'], {}));
    }
    for (let i = 0; i < 5; i++) {
      const fresh = await tempDir('devdb-agent-bench-');
      rss.start.push(await peakRssMb(['start'], workspace(fresh)));
      await rm(fresh, { recursive: true });
      rss.heartbeat.push(await peakRssMb(['heartbeat'], { PATH: process.env.PATH, HOME: home }));
      rss.status.push(await peakRssMb(['status'], { PATH: process.env.PATH, HOME: home }));
    }
    const bytes = statSync(AGENT).size;
    const gz = gzipSync(readFileSync(AGENT)).length;
    process.stderr.write('\n');
    console.log(`devdb-agent start, cold, to files written:  ${fmt(starts)}`);
    console.log(`devdb-agent heartbeat, cold:                ${fmt(heartbeats)}`);
    console.log(`devdb-agent status, cold:                   ${fmt(statuses)}`);
    console.log(`node -e 0 (the floor):                      ${fmt(nodeFloor)}`);
    for (const [cmd, xs] of Object.entries(rss)) {
      console.log(
        `peak RSS, ${cmd.padEnd(9)}                       median ${median(xs).toFixed(1)} MB (max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`,
      );
    }
    console.log(
      `bundle dist/agent-bundle/devdb-agent:       ${(bytes / 1024).toFixed(0)} KiB (${(gz / 1024).toFixed(0)} KiB gzipped)`,
    );
    await rm(home, { recursive: true });
  } finally {
    await stop(server.child);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
