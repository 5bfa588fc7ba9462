// devdb-agent as a single executable (scripts/build-agent-sea.js) against the bundle on
// node: the executable's size (and gzipped, as a download would be), and the cold start
// of `--version`, interleaved, median of BENCH_RUNS (10). Builds the executable first.
// Run after `npm run build`: node bench/agent-sea.js
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildAgentSea, SEA_EXECUTABLE } from '../scripts/build-agent-sea.js';
import { fmt } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const BUNDLE = path.resolve('dist/agent-bundle/devdb-agent');
const SEA = path.resolve(SEA_EXECUTABLE);
const run = promisify(execFile);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function timed(file, args) {
  const started = performance.now();
  const { stdout } = await run(file, args, { env: { PATH: process.env.PATH } });
  if (!/^\d+\.\d+\.\d+/.test(stdout)) throw new Error(`${file} --version printed ${stdout}`);
  return performance.now() - started;
}

async function main() {
  const built = await buildAgentSea();
  const seaBytes = statSync(SEA).size;
  const gz = gzipSync(readFileSync(SEA), { level: 9 }).length;
  console.log(
    `devdb-agent SEA size:        ${mib(seaBytes)} (gzip -9: ${mib(gz)})${built.stripped ? ', node stripped' : ''}`,
  );
  console.log(
    `devdb-agent bundle size:     ${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB (+ node)`,
  );
  // Warm the page cache for both, then interleave so neither gets a quieter machine.
  await timed(SEA, ['--version']);
  await timed(process.execPath, [BUNDLE, '--version']);
  const sea = [];
  const bundle = [];
  const floor = [];
  for (let i = 0; i < RUNS; i++) {
    sea.push(await timed(SEA, ['--version']));
    bundle.push(await timed(process.execPath, [BUNDLE, '--version']));
    floor.push(await timed(process.execPath, ['-p', '"0.0.0"']));
  }
  console.log(`SEA --version, cold start:   ${fmt(sea)}`);
  console.log(`node bundle --version:       ${fmt(bundle)}`);
  console.log(`node -p (the floor):         ${fmt(floor)}`);
  console.log(`load average (1 min):        ${os.loadavg()[0].toFixed(1)}`);
}

await main();
