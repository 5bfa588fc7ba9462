// `npm run bench`: every benchmark, one after the other (they share two cores).
import { spawnSync } from 'node:child_process';

const BENCHMARKS = [
  'bench/core.js',
  'bench/plugin.js',
  'bench/provider.js',
  'bench/contended.js',
  'bench/agent.js',
  'bench/agent-sea.js',
  'bench/backup.js',
  'bench/sampler.js',
  'bench/scale.js',
  'bench/api.js',
  'bench/dashboard.js',
  'bench/seed.js',
  'bench/placement.js',
  'bench/snapshots.js',
];

let failed = 0;
for (const script of BENCHMARKS) {
  console.log(`\n== ${script}`);
  const { status } = spawnSync('node', [script], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
