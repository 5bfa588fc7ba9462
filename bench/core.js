// DevDB core figures (issue 2): `devdb up` first start and restart, and
// `devdb provision` of a new individual database, each as wall time of the
// real command. Run after `npm run build`: node bench/core.js
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const CLI = path.resolve('dist/server/cli.js');
const FIRST_STARTS = Number(process.env.BENCH_FIRST_STARTS ?? 5);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 10);
const PROVISIONS = Number(process.env.BENCH_PROVISIONS ?? 20);
const run = promisify(execFile);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

// Every `devdb up` still running is stopped on the way out, even after a failure.
const running = new Set();
process.on('exit', () => running.forEach((child) => child.kill('SIGTERM')));

/** Spawns `devdb up` and resolves with its wall time to "DevDB is running". */
function up(dataDir) {
  const started = performance.now();
  const child = spawn('node', [CLI, 'up', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
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

const stop = (child) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'devdb-bench-'));
  await chmod(dir, 0o755);
  return dir;
}

async function main() {
  const dirs = [];
  try {
    const first = [];
    for (let i = 0; i < FIRST_STARTS; i++) {
      const dir = await tempDir();
      dirs.push(dir);
      const { child, ms } = await up(path.join(dir, 'data'));
      first.push(ms);
      await stop(child);
      process.stderr.write('.');
    }
    const dataDir = path.join(dirs[0], 'data');
    const restarts = [];
    for (let i = 0; i < RESTARTS; i++) {
      const { child, ms } = await up(dataDir);
      restarts.push(ms);
      await stop(child);
      process.stderr.write('.');
    }
    const { child } = await up(dataDir);
    const provisions = [];
    try {
      for (let i = 0; i < PROVISIONS; i++) {
        const started = performance.now();
        await run('node', [
          CLI,
          'provision',
          '--data-dir',
          dataDir,
          '--type',
          'individual',
          '--owner',
          `bench-user-${i}`,
          '--workspace-id',
          `bench-ws-${i}`,
          '--json',
        ]);
        provisions.push(performance.now() - started);
        process.stderr.write('.');
      }
    } finally {
      await stop(child);
    }
    process.stderr.write('\n');
    console.log(`devdb up, first start (initdb + bootstrap + migrations): ${fmt(first)}`);
    console.log(`devdb up, restart on an existing data dir:              ${fmt(restarts)}`);
    console.log(`devdb provision, new individual database (whole CLI):   ${fmt(provisions)}`);
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

await main();
