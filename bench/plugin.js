// Plugin start-up benchmark (issue 3): how long Terraform waits for a provider built
// on provider/plugin, from spawning the process to
//   - its go-plugin handshake line on stdout, and
//   - the first answer over mutual TLS (GetProviderSchema), since gRPC loads after
//     the handshake line is printed;
// median of 20 launches, for the esbuild bundle and the unbundled (one file per
// module) build, with Node's own start-up and the Go AWS provider for comparison.
//
//   npm run build && node bench/plugin.js        (or: npm run bench:plugin)

import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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

const dist = (path) => import(join(ROOT, 'dist/provider/plugin', path));
const { bundleProvider } = await dist('bundle.js');
const { createServerCertificate } = await dist('transport/certificate.js');
const { descriptor } = await dist('proto/descriptor.js');

const client = createServerCertificate();
const Provider = grpc.loadPackageDefinition(
  protoLoader.fromJSON(descriptor, {
    keepCase: true,
    enums: String,
    longs: Number,
    defaults: true,
    oneofs: true,
  }),
).tfplugin6.Provider;

const work = mkdtempSync(join(tmpdir(), 'bench-plugin-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** One launch: ms to the handshake line and (optionally) to the first gRPC answer. */
async function launch(command, args, { firstCall, untilExit }) {
  const started = performance.now();
  if (untilExit) {
    spawnSync(command, args);
    return { handshake: performance.now() - started };
  }
  const child = spawn(command, args, {
    env: {
      ...process.env,
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
  let answer;
  if (firstCall) {
    const [, , , address, , cert] = line.split('|');
    const pem = `-----BEGIN CERTIFICATE-----\n${cert}${'='.repeat((4 - (cert.length % 4)) % 4)}\n-----END CERTIFICATE-----\n`;
    const credentials = grpc.credentials.createSsl(
      Buffer.from(pem),
      Buffer.from(client.keyPem),
      Buffer.from(client.certPem),
    );
    const provider = new Provider(`unix://${address}`, credentials, {
      'grpc.ssl_target_name_override': 'localhost',
    });
    await new Promise((done, fail) =>
      provider.GetProviderSchema({}, (error) => (error ? fail(error) : done())),
    );
    answer = performance.now() - started;
    provider.close();
  }
  child.kill('SIGTERM');
  await exited;
  return { handshake, answer };
}

/** Launches the variants in turn, RUNS times each, so load on the machine hits them alike. */
async function measureAll(variants) {
  for (const v of variants) await launch(v.command, v.args, v.options); // warm file caches
  const results = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [n, v] of variants.entries())
      results[n].push(await launch(v.command, v.args, v.options));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const fmt = (value) => (value === undefined ? '—' : `${value.toFixed(0)} ms`);
  for (const [n, v] of variants.entries()) {
    const handshake = median(results[n].map((r) => r.handshake));
    const answer = v.options.firstCall ? median(results[n].map((r) => r.answer)) : undefined;
    console.log(`${v.label.padEnd(38)} ${fmt(handshake).padStart(9)} ${fmt(answer).padStart(13)}`);
  }
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

console.log(`Plugin start-up, median of ${RUNS} launches (node ${process.version})`);
console.log(`${'what'.padEnd(38)} ${'handshake'.padStart(9)} ${'first answer'.padStart(13)}`);
const aws = awsProvider();
await measureAll([
  {
    label: 'node -e 0 (Node start-up to exit)',
    command: process.execPath,
    args: ['-e', '0'],
    options: { untilExit: true },
  },
  {
    label: 'example provider, esbuild bundle',
    command: bundled,
    args: [],
    options: { firstCall: true },
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
          options: { firstCall: true },
        },
      ]
    : []),
  ...(aws ? [{ label: 'Go AWS provider v5.100.0', command: aws, args: [], options: {} }] : []),
]);
