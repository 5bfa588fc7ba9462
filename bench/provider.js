// The devdb Terraform provider (issue 4): terraform plan/apply of one
// devdb_database (median of 5), the provider's share of the apply (the
// ApplyResourceChange RPC, from the plugin's own debug log), the same apply's
// ratio to an apply of one built-in terraform_data resource measured in the same
// runs, interleaved (issue 15: the provider's launches), with four bare Node
// start-ups (the floor of a Node.js provider, launched 4 times per apply), the raw SQL floor
// (the same attach through the provisioning API), and 100 attaches driven from
// 10 concurrent terraform processes. Run after `npm run build`: node bench/provider.js
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { CLI, fmt, median, stop, tempDir, up } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
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

async function timed(dir, args, env) {
  const started = performance.now();
  await run('terraform', [...args, '-input=false', '-no-color'], {
    cwd: dir,
    env,
    maxBuffer: 1 << 26,
  });
  return performance.now() - started;
}

async function applyRpcMs(logFile) {
  const log = await readFile(logFile, 'utf8');
  // hclog key=value, or the JSON line as the plugin wrote it
  const match = /ApplyResourceChange done[^\n]*?(?:ms=|"ms":)(\d+)/.exec(log);
  return match ? Number(match[1]) : NaN;
}

/** 100 attaches: 10 terraform applies of 10 devdb_database each, all at once; ms wall. */
async function concurrentApplies(root, env) {
  const dirs = [];
  for (let i = 0; i < 10; i++) dirs.push(await workdir(root, `many-${i}`, 10, env));
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
          `owner=many-${i % 5}`,
          '-var',
          `prefix=many-${i}`,
        ],
        {
          cwd: dir,
          env,
          maxBuffer: 1 << 26,
        },
      ),
    ),
  );
  return performance.now() - started;
}

async function main() {
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
    const plans = [];
    const applies = [];
    const builtinApplies = [];
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
      rpcs.push(await applyRpcMs(logFile));
      await timed(one, ['destroy', '-auto-approve', ...vars], env);
      builtinApplies.push(
        await timed(builtin, ['apply', '-auto-approve', ...vars], {
          ...env,
          TF_LOG_PROVIDER: 'debug',
          TF_LOG_PATH: path.join(root, `builtin-${i}.log`),
        }),
      );
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
      process.env.BENCH_PROVIDER_MANY === '0' ? undefined : await concurrentApplies(root, env);
    process.stderr.write('\n');
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
    console.log(`  raw SQL floor: attachWorkspace() through the API:     ${fmt(floor)}`);
    if (many !== undefined)
      console.log(
        `100 attaches from 10 concurrent terraform applies:      ${many.toFixed(0)} ms wall`,
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
