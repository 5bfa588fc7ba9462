// Plugin start-up benchmark (issue 3): how long Terraform waits for a provider built
// on provider/plugin, from spawning the process to
//   - its go-plugin handshake line on stdout, and
//   - the first answer over mutual TLS (GetProviderSchema), since gRPC loads after
//     the handshake line is printed;
// median of 20 launches, for the esbuild bundle and the unbundled (one file per
// module) build, with Node's own start-up and the Go AWS provider for comparison;
// for each launch also the CPU it used (user + sys of all its threads, from
// /proc/PID/task/*/schedstat) by the handshake line, by the first answer and by the
// Shutdown answer Terraform ends every launch with (the process exits right after).
// Also `devdb --version` (the admin CLI's floor) against `node -e 0`, wall and CPU.
// BENCH_BASELINE_BUNDLE=path/to/terraform-provider-devdb adds another build of the
// devdb provider (e.g. main's) to the same interleaved run, for a before/after.
//
//   npm run build && node bench/plugin.js        (or: npm run bench:plugin)

import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const EXAMPLE = join(ROOT, 'test/provider/plugin/example/main.ts');
// The shipped devdb executable (its code cache warms on the first, unmeasured launch).
const DEVDB_PROVIDER = join(ROOT, 'dist/provider-bundle/terraform-provider-devdb');
const AWS_PROVIDER_DIR = '/opt/tf-plugins/registry.terraform.io/hashicorp/aws';
const BASELINE = process.env.BENCH_BASELINE_BUNDLE;
const DEVDB_CLI = join(ROOT, 'dist/server/cli.js');
const TIME = '/usr/bin/time';

const dist = (path) => import(join(ROOT, 'dist/provider/plugin', path));
const { bundleProvider } = await dist('bundle.js');
const { createServerCertificate } = await dist('transport/certificate.js');
const { descriptor } = await dist('proto/descriptor.js');

const client = createServerCertificate();
const services = grpc.loadPackageDefinition(
  protoLoader.fromJSON(descriptor, {
    keepCase: true,
    enums: String,
    longs: Number,
    defaults: true,
    oneofs: true,
  }),
);
const Provider = services.tfplugin6.Provider;
const Controller = services.plugin.GRPCController;

/** CPU (ms, user + sys, every thread) a running process has used so far. */
function cpuOf(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** Runs a command to its exit: wall ms and (through GNU time, when present) CPU ms. */
function runToExit(command, args) {
  const started = performance.now();
  if (!existsSync(TIME)) {
    spawnSync(command, args);
    return { wall: performance.now() - started };
  }
  const out = join(work, 'time.txt');
  spawnSync(TIME, ['-f', '%U %S', '-o', out, command, ...args]);
  const wall = performance.now() - started;
  const [user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (user + sys) * 1000 };
}

const work = mkdtempSync(join(tmpdir(), 'bench-plugin-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/**
 * One launch: ms to the handshake line, to the first gRPC answer (GetProviderSchema) and
 * to exit after Terraform's closing Shutdown, with the CPU used by each point.
 */
async function launch(command, args, { firstCall, untilExit, cacheDir }) {
  if (untilExit) {
    const { wall, cpu } = runToExit(command, args);
    return { handshake: wall, handshakeCpu: cpu };
  }
  const started = performance.now();
  const child = spawn(command, args, {
    env: {
      ...process.env,
      // Each build keeps its own code cache (V8 rejects another bundle's anyway).
      ...(cacheDir ? { XDG_CACHE_HOME: cacheDir } : {}),
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      PLUGIN_CLIENT_CERT: client.certPem,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const line = await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).once('line', done);
    child.once('exit', (code) => fail(new Error(`${command} exited ${code} before its handshake`)));
  });
  const handshake = performance.now() - started;
  const handshakeCpu = cpuOf(child.pid);
  if (!firstCall) {
    child.kill('SIGTERM');
    await exited;
    return { handshake, handshakeCpu };
  }
  const [, , , address, , cert] = line.split('|');
  const pem = `-----BEGIN CERTIFICATE-----\n${cert}${'='.repeat((4 - (cert.length % 4)) % 4)}\n-----END CERTIFICATE-----\n`;
  const credentials = grpc.credentials.createSsl(
    Buffer.from(pem),
    Buffer.from(client.keyPem),
    Buffer.from(client.certPem),
  );
  const options = { 'grpc.ssl_target_name_override': 'localhost' };
  const provider = new Provider(`unix://${address}`, credentials, options);
  await new Promise((done, fail) =>
    provider.GetProviderSchema({}, (error) => (error ? fail(error) : done())),
  );
  const answer = performance.now() - started;
  const answerCpu = cpuOf(child.pid);
  const controller = new Controller(`unix://${address}`, credentials, options);
  let exitCpu;
  await new Promise((done, fail) =>
    controller.Shutdown({}, (error) => {
      if (error) return fail(error);
      try {
        exitCpu = cpuOf(child.pid);
      } catch {
        // gone already
      }
      done();
    }),
  );
  await exited;
  const exit = performance.now() - started;
  provider.close();
  controller.close();
  return { handshake, handshakeCpu, answer, answerCpu, exit, exitCpu };
}

/** Launches the variants in turn, RUNS times each, so load on the machine hits them alike. */
async function measureAll(variants) {
  for (const v of variants) await launch(v.command, v.args, v.options); // warm file caches
  const results = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [n, v] of variants.entries())
      results[n].push(await launch(v.command, v.args, v.options));
  }
  const median = (values) => {
    const known = values.filter((value) => value !== undefined);
    return known.length
      ? [...known].sort((a, b) => a - b)[Math.floor(known.length / 2)]
      : undefined;
  };
  const fmt = (value) => (value === undefined ? '—' : `${value.toFixed(0)} ms`);
  const cell = (n, wall, cpu) => {
    const w = median(results[n].map((r) => r[wall]));
    const c = median(results[n].map((r) => r[cpu]));
    return `${fmt(w)} / ${c === undefined ? '—' : c.toFixed(0)}`.padStart(17);
  };
  for (const [n, v] of variants.entries()) {
    console.log(
      `${v.label.padEnd(38)} ${cell(n, 'handshake', 'handshakeCpu')} ${cell(n, 'answer', 'answerCpu')} ${cell(n, 'exit', 'exitCpu')}`,
    );
  }
  return variants.map((v, n) => ({
    label: v.label,
    handshake: median(results[n].map((r) => r.handshake)),
    handshakeCpu: median(results[n].map((r) => r.handshakeCpu)),
  }));
}

/** Transpiles every module on its own (no bundling), the way tsc's output runs. */
async function unbundledExample() {
  const out = join(work, 'unbundled');
  const sources = [
    ...listTs(join(ROOT, 'provider/plugin')).filter(
      (f) => !f.endsWith('bundle.ts') && !f.endsWith('generate.ts'),
    ),
    ...listTs(join(ROOT, 'test/provider/plugin/example')),
  ];
  await build({
    entryPoints: sources,
    outdir: out,
    outbase: ROOT,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return join(out, relative(ROOT, EXAMPLE).replace(/\.ts$/, '.js'));
}

function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function awsProvider() {
  if (!existsSync(AWS_PROVIDER_DIR)) return undefined;
  const found = spawnSync(
    'find',
    [AWS_PROVIDER_DIR, '-name', 'terraform-provider-aws*', '-type', 'f'],
    { encoding: 'utf8' },
  );
  return found.stdout.split('\n').find(Boolean);
}

mkdirSync(join(work, 'bundle'));
const bundled = join(work, 'bundle', 'terraform-provider-example');
await bundleProvider({ entry: EXAMPLE, outfile: bundled });
const unbundled = await unbundledExample();

console.log(
  `Plugin start-up, median of ${RUNS} launches (node ${process.version}); load average before the run: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('each cell: wall / CPU ms (user + sys, all threads) since spawn');
console.log(
  `${'what'.padEnd(38)} ${'handshake'.padStart(17)} ${'first answer'.padStart(17)} ${'exit (Shutdown)'.padStart(17)}`,
);
const aws = awsProvider();
const cache = (name) => join(work, `cache-${name}`);
const medians = await measureAll([
  {
    label: 'node -e 0 (Node start-up to exit)',
    command: process.execPath,
    args: ['-e', '0'],
    options: { untilExit: true },
  },
  {
    label: 'devdb --version (admin CLI to exit)',
    command: process.execPath,
    args: [DEVDB_CLI, '--version'],
    options: { untilExit: true },
  },
  {
    label: 'example provider, esbuild bundle',
    command: bundled,
    args: [],
    options: { firstCall: true, cacheDir: cache('example') },
  },
  {
    label: 'example provider, unbundled modules',
    command: process.execPath,
    args: [unbundled],
    options: { firstCall: true },
  },
  ...(existsSync(DEVDB_PROVIDER)
    ? [
        {
          label: 'devdb provider (npm run build)',
          command: DEVDB_PROVIDER,
          args: [],
          options: { firstCall: true, cacheDir: cache('devdb') },
        },
      ]
    : []),
  ...(BASELINE
    ? [
        {
          label: 'devdb provider, BENCH_BASELINE_BUNDLE',
          command: BASELINE,
          args: [],
          options: { firstCall: true, cacheDir: cache('baseline') },
        },
      ]
    : []),
  ...(aws ? [{ label: 'Go AWS provider v5.100.0', command: aws, args: [], options: {} }] : []),
]);
const [node, version] = medians;
const devdb = medians.find((m) => m.label.startsWith('devdb provider (npm'));
console.log(
  `devdb --version ÷ node -e 0: ${(version.handshake / node.handshake).toFixed(2)}× wall (${version.handshake.toFixed(0)} ÷ ${node.handshake.toFixed(0)} ms; goal ≤ 60 ms ÷ 25 ms on a quiet machine)`,
);
if (devdb)
  console.log(
    `devdb provider: spawn → handshake line ÷ node -e 0: ${(devdb.handshake / node.handshake).toFixed(2)}× wall (goal ≤ 1.6)`,
  );
