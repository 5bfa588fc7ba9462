// DevDB core figures (issue 2): `devdb up` first start and restart, and
// `devdb provision` of a new individual database, each as wall time of the
// real command. Run after `npm run build`: node bench/core.js
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { CLI, fmt, stop, tempDir, up } from './lib.js';

const FIRST_STARTS = Number(process.env.BENCH_FIRST_STARTS ?? 5);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 10);
const PROVISIONS = Number(process.env.BENCH_PROVISIONS ?? 20);
const run = promisify(execFile);

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
