// The devdb Terraform provider (issue 4): terraform plan/apply of one
// devdb_database (median of 5), the provider's share of the apply (the
// ApplyResourceChange RPC, from the plugin's own debug log), the same apply's
// ratio to an apply of one built-in terraform_data resource measured in the same
// runs, interleaved (issue 15: the provider's launches), with four bare Node
// start-ups (the floor of a Node.js provider, launched 4 times per apply), the raw SQL floor
// (the same attach through the provisioning API), and 100 attaches driven from
// 10 concurrent terraform processes. Issue 25 adds the CPU of each apply (user + sys of
// terraform and the provider processes it launched, through GNU time), the provider's
// CPU per apply (a devdb_database apply's minus a terraform_data apply's), 20 concurrent
// applies of one devdb_database each ÷ one apply, and the load average before the run.
// BENCH_BASELINE_BUNDLE=path/to/terraform-provider-devdb installs another build (e.g.
// main's) into a second mirror and measures its applies in the same interleaved runs.
// Run after `npm run build`: node bench/provider.js
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { installToMirror } from '../dist/provider/devdb/package-layout.js';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { CLI, fmt, median, stop, tempDir, up } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONCURRENT = 20;
const BASELINE = process.env.BENCH_BASELINE_BUNDLE;
const TIME = '/usr/bin/time';
const run = promisify(execFile);

const config = (count) => `terraform {
  required_providers {
    devdb = { source = "devdb/devdb" }
  }
}
provider "devdb" {}
variable "owner" { type = string }
variable "prefix" { type = string }
resource "devdb_database" "db" {
  count        = ${count}
  type         = "individual"
  owner        = var.owner
  workspace_id = "\${var.prefix}-\${count.index}"
}
`;

// The yardstick: Terraform's own floor for an apply that creates one resource,
// with no plugin to launch (terraform_data is built in).
const builtinConfig = `variable "owner" { type = string }
variable "prefix" { type = string }
resource "terraform_data" "db" {
  input = "\${var.owner}/\${var.prefix}-0"
}
`;

async function workdir(root, name, count, env, text = config(count)) {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'main.tf'), text);
  await run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env });
  return dir;
}

/** Wall ms of a terraform command; its CPU (terraform + the plugins it ran) in cpuMs. */
const cpuMs = [];
async function timed(dir, args, env) {
  const started = performance.now();
  const timeFile = path.join(dir, '.time');
  const [command, prefix] = existsSync(TIME)
    ? [TIME, ['-f', '%U %S', '-o', timeFile, 'terraform']]
    : ['terraform', []];
  await run(command, [...prefix, ...args, '-input=false', '-no-color'], {
    cwd: dir,
    env,
    maxBuffer: 1 << 26,
  });
  const wall = performance.now() - started;
  if (prefix.length) {
    const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop().split(' ');
    cpuMs.push((Number(user) + Number(sys)) * 1000);
  } else cpuMs.push(NaN);
  return wall;
}
const lastCpu = () => cpuMs[cpuMs.length - 1];

async function applyRpcMs(logFile) {
  const log = await readFile(logFile, 'utf8');
  // hclog key=value, or the JSON line as the plugin wrote it
  const match = /ApplyResourceChange done[^\n]*?(?:ms=|"ms":)(\d+)/.exec(log);
  return match ? Number(match[1]) : NaN;
}

/**
 * `processes` terraform applies of `count` devdb_database each, all at once; ms wall.
 * Workspace owners: `owners` of them, shared round robin.
 */
async function concurrentApplies(root, env, { name, processes, count, owners }) {
  const dirs = [];
  for (let i = 0; i < processes; i++) dirs.push(await workdir(root, `${name}-${i}`, count, env));
  const started = performance.now();
  await Promise.all(
    dirs.map((dir, i) =>
      run(
        'terraform',
        [
          'apply',
          '-auto-approve',
          '-input=false',
          '-no-color',
          '-var',
          `owner=${name}-${i % owners}`,
          '-var',
          `prefix=${name}-${i}`,
        ],
        { cwd: dir, env, maxBuffer: 1 << 26 },
      ),
    ),
  );
  return performance.now() - started;
}

async function main() {
  const load = loadavg();
  const root = await tempDir();
  const server = await up(path.join(root, 'data'));
  try {
    const { stdout: adminUrl } = await run('node', [
      CLI,
      'admin-url',
      '--data-dir',
      path.join(root, 'data'),
    ]);
    const env = {
      ...process.env,
      DEVDB_ADMIN_URL: adminUrl.trim(),
      TF_CLI_CONFIG_FILE: path.join(root, 'data', 'terraform', 'terraform.rc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    };
    const one = await workdir(root, 'one', 1, env);
    const builtin = await workdir(root, 'builtin', 1, env, builtinConfig);
    let baseline;
    let baselineEnv;
    if (BASELINE) {
      const installed = await installToMirror(path.join(root, 'baseline-mirror'));
      await copyFile(BASELINE, installed.executable);
      baselineEnv = {
        ...env,
        TF_CLI_CONFIG_FILE: installed.cliConfigFile,
        XDG_CACHE_HOME: path.join(root, 'baseline-cache'),
      };
      baseline = await workdir(root, 'baseline', 1, baselineEnv);
    }
    const plans = [];
    const applies = [];
    const applyCpu = [];
    const builtinApplies = [];
    const builtinCpu = [];
    const baselineApplies = [];
    const baselineCpu = [];
    const nodeStarts = [];
    const rpcs = [];
    for (let i = 0; i < RUNS; i++) {
      const vars = ['-var', `owner=bench-tf-${i}`, '-var', `prefix=ws-${i}`];
      plans.push(await timed(one, ['plan', ...vars], env));
      const logFile = path.join(root, `apply-${i}.log`);
      applies.push(
        await timed(one, ['apply', '-auto-approve', ...vars], {
          ...env,
          TF_LOG_PROVIDER: 'debug',
          TF_LOG_PATH: logFile,
        }),
      );
      applyCpu.push(lastCpu());
      rpcs.push(await applyRpcMs(logFile));
      await timed(one, ['destroy', '-auto-approve', ...vars], env);
      if (baseline) {
        const baseVars = ['-var', `owner=bench-base-${i}`, '-var', `prefix=base-${i}`];
        baselineApplies.push(
          await timed(baseline, ['apply', '-auto-approve', ...baseVars], baselineEnv),
        );
        baselineCpu.push(lastCpu());
        await timed(baseline, ['destroy', '-auto-approve', ...baseVars], baselineEnv);
      }
      builtinApplies.push(
        await timed(builtin, ['apply', '-auto-approve', ...vars], {
          ...env,
          TF_LOG_PROVIDER: 'debug',
          TF_LOG_PATH: path.join(root, `builtin-${i}.log`),
        }),
      );
      builtinCpu.push(lastCpu());
      await timed(builtin, ['destroy', '-auto-approve', ...vars], env);
      // The floor of any Node.js provider: Terraform launches it 4 times per apply.
      const bare = performance.now();
      for (let n = 0; n < 4; n++) await run(process.execPath, ['-e', '0']);
      nodeStarts.push(performance.now() - bare);
      process.stderr.write('.');
    }

    const pool = new pg.Pool({ connectionString: env.DEVDB_ADMIN_URL, max: 4 });
    const floor = [];
    try {
      const endpoint = { host: '127.0.0.1', port: Number(new URL(env.DEVDB_ADMIN_URL).port) };
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await attachWorkspace(pool, endpoint, {
          type: 'individual',
          owner: `bench-sql-${i}`,
          workspaceId: `sql-${i}`,
        });
        floor.push(performance.now() - started);
      }
    } finally {
      await pool.end();
    }

    // BENCH_PROVIDER_MANY=0 skips the concurrent part (for quick reruns of the ratio).
    const many =
      process.env.BENCH_PROVIDER_MANY === '0'
        ? undefined
        : await concurrentApplies(root, env, { name: 'many', processes: 10, count: 10, owners: 5 });
    const twenty =
      process.env.BENCH_PROVIDER_MANY === '0'
        ? undefined
        : await concurrentApplies(root, env, {
            name: 'twenty',
            processes: CONCURRENT,
            count: 1,
            owners: CONCURRENT,
          });
    process.stderr.write('\n');
    console.log(`load average before the run: ${load.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`terraform plan, one devdb_database (new database):      ${fmt(plans)}`);
    console.log(`terraform apply, one devdb_database (new database):     ${fmt(applies)}`);
    console.log(`  provider's share: ApplyResourceChange RPC:            ${fmt(rpcs)}`);
    console.log(`terraform apply, one terraform_data (built in):         ${fmt(builtinApplies)}`);
    console.log(
      `  apply of one devdb_database ÷ apply of one terraform_data: ${(median(applies) / median(builtinApplies)).toFixed(1)}× (goal ≤ 6)`,
    );
    console.log(
      `  floor: 4 × \`node -e 0\` (4 plugin launches, no code) ÷ terraform_data: ${(median(nodeStarts) / median(builtinApplies)).toFixed(1)}× (${fmt(nodeStarts)})`,
    );
    const cpu = (xs) => `median ${median(xs).toFixed(0)} ms CPU (user + sys)`;
    console.log(`  CPU of the devdb_database apply (terraform + provider): ${cpu(applyCpu)}`);
    console.log(`  CPU of the terraform_data apply (terraform alone):      ${cpu(builtinCpu)}`);
    console.log(
      `  provider CPU per apply (the difference): ${(median(applyCpu) - median(builtinCpu)).toFixed(0)} ms (goal ≤ 250)`,
    );
    if (baseline) {
      console.log(
        `BENCH_BASELINE_BUNDLE apply, one devdb_database:        ${fmt(baselineApplies)}`,
      );
      console.log(
        `  its ratio to terraform_data: ${(median(baselineApplies) / median(builtinApplies)).toFixed(1)}×; its provider CPU per apply: ${(median(baselineCpu) - median(builtinCpu)).toFixed(0)} ms`,
      );
    }
    console.log(`  raw SQL floor: attachWorkspace() through the API:     ${fmt(floor)}`);
    if (many !== undefined)
      console.log(
        `100 attaches from 10 concurrent terraform applies:      ${many.toFixed(0)} ms wall`,
      );
    if (twenty !== undefined)
      console.log(
        `${CONCURRENT} concurrent applies of one devdb_database each: ${twenty.toFixed(0)} ms wall = ${(twenty / median(applies)).toFixed(2)}× one apply`,
      );
    console.log(
      `  (median apply ${median(applies).toFixed(0)} ms of which RPC ${median(rpcs).toFixed(0)} ms: the rest is terraform and plugin start-up)`,
    );
  } finally {
    await stop(server.child);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
