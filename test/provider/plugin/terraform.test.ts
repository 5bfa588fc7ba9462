import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_ENTRY } from './helpers/example-build.js';
import {
  createTerraformWorkspace,
  killGroup,
  type TerraformWorkspace,
} from './helpers/terraform.js';

// Level (b): the example provider driven by the real terraform CLI, installed from a
// filesystem mirror. The steps share one init and one state, so they run in order.

const SECRET = 'hunter2-sensitive-value';
let tf: TerraformWorkspace;
let files: string;
const timings: Record<string, number> = {};

const CONFIG = `
terraform {
  required_providers {
    example = { source = "devdb-test/example", version = "1.0.0" }
  }
}
variable "base_dir" { type = string }
variable "path" { default = "a.txt" }
variable "content" { default = "hello" }
variable "secret" {
  type      = string
  sensitive = true
}
variable "delay_ms" { default = null }
provider "example" {
  base_dir = var.base_dir
}
resource "example_file" "a" {
  path     = var.path
  content  = var.content
  secret   = var.secret
  delay_ms = var.delay_ms
  label {
    name  = "owner"
    value = "tests"
  }
}
data "example_file" "a" {
  path = example_file.a.path
}
output "read_back" { value = data.example_file.a.content }
`;

const fileAt = (name: string) => join(files, name);

async function terraform(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await tf.run([...args, '-no-color'], {
    env: { TF_VAR_secret: SECRET, TF_VAR_base_dir: files, ...env },
  });
  return result;
}

interface State {
  resources: { mode: string; type: string; instances: { attributes: Record<string, unknown> }[] }[];
}

function state(): State {
  return JSON.parse(readFileSync(join(tf.dir, 'terraform.tfstate'), 'utf8'));
}

function fileState() {
  const managed = state().resources.find((r) => r.mode === 'managed' && r.type === 'example_file');
  return managed?.instances[0]?.attributes;
}

beforeAll(async () => {
  tf = await createTerraformWorkspace({
    namespace: 'devdb-test',
    type: 'example',
    version: '1.0.0',
    entry: EXAMPLE_ENTRY,
  });
  files = join(tf.root, 'files');
  writeFileSync(join(tf.dir, 'main.tf'), CONFIG);
});

afterAll(() => {
  tf?.cleanup();
  console.info('terraform wall times (ms):', JSON.stringify(timings));
});

describe.sequential('the example provider under terraform', () => {
  it('initialises offline from the filesystem mirror', async () => {
    const result = await terraform(['init', '-input=false']);
    expect(result.code, result.output).toBe(0);
    const lock = readFileSync(join(tf.dir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(/devdb-test\/example/);
    expect(lock).toMatch(/h1:/);
    timings.init = result.ms;
  });

  it('validates, reporting validator errors on the attribute', async () => {
    const ok = await terraform(['validate']);
    expect(ok.code, ok.output).toBe(0);
    const bad = await terraform(['plan', '-var', 'path=', '-input=false']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/Invalid path/);
    expect(bad.output).toMatch(/Must be between 1 and 200 characters long/);
    expect(bad.output).toMatch(/on main\.tf line \d+, in resource "example_file" "a":/);
  });

  it('plans a create without showing the sensitive value', async () => {
    const result = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(result.code, result.output).toBe(2);
    expect(result.output).toMatch(/example_file\.a will be created/);
    expect(result.output).toMatch(/secret\s+= \(sensitive value\)/);
    expect(result.output).toMatch(/checksum\s+= \(known after apply\)/);
    expect(result.output).toMatch(/permissions\s+= "0644"/);
    expect(result.output).not.toContain(SECRET);
    timings.plan = result.ms;
  });

  it('applies', async () => {
    const result = await terraform(['apply', '-auto-approve', '-input=false']);
    expect(result.code, result.output).toBe(0);
    expect(readFileSync(fileAt('a.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(fileAt('a.txt.secret'), 'utf8')).toBe(SECRET);
    expect(statSync(fileAt('a.txt.secret')).mode & 0o777).toBe(0o600);
    expect(result.output).toMatch(/read_back = "hello"/);
    expect(result.output).not.toContain(SECRET);
    expect(fileState()?.checksum).toMatch(/^[0-9a-f]{64}$/);
    timings.apply = result.ms;
  });

  it('then plans no changes', async () => {
    const result = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/No changes/);
    timings.noopPlan = result.ms;
  });

  it('updates in place, computed attributes unknown only when they change', async () => {
    const plan = await terraform(['plan', '-var', 'content=world', '-input=false']);
    expect(plan.output).toMatch(/example_file\.a will be updated in-place/);
    expect(plan.output).toMatch(/~ checksum\s+= "[0-9a-f]+" -> \(known after apply\)/);
    expect(plan.output).not.toMatch(/~ id/);
    const before = fileState()?.checksum;
    const apply = await terraform([
      'apply',
      '-auto-approve',
      '-var',
      'content=world',
      '-input=false',
    ]);
    expect(apply.code, apply.output).toBe(0);
    expect(readFileSync(fileAt('a.txt'), 'utf8')).toBe('world');
    expect(fileState()?.checksum).not.toBe(before);
  });

  it('replaces when a requiresReplace attribute changes', async () => {
    const vars = ['-var', 'content=world', '-var', 'path=b.txt', '-input=false'];
    const plan = await terraform(['plan', ...vars]);
    expect(plan.output).toMatch(/example_file\.a must be replaced/);
    expect(plan.output).toMatch(/path\s+= "a.txt" -> "b.txt" # forces replacement/);
    const apply = await terraform(['apply', '-auto-approve', ...vars]);
    expect(apply.code, apply.output).toBe(0);
    expect(existsSync(fileAt('a.txt'))).toBe(false);
    expect(readFileSync(fileAt('b.txt'), 'utf8')).toBe('world');
  });

  it('detects drift and repairs it', async () => {
    const vars = ['-var', 'content=world', '-var', 'path=b.txt', '-input=false'];
    writeFileSync(fileAt('b.txt'), 'tampered');
    const plan = await terraform(['plan', '-detailed-exitcode', ...vars]);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toMatch(/content\s+= "tampered" -> "world"/);
    rmSync(fileAt('b.txt'));
    const gone = await terraform(['plan', ...vars]);
    expect(gone.output).toMatch(/example_file\.a will be created/);
    const apply = await terraform(['apply', '-auto-approve', ...vars]);
    expect(apply.code, apply.output).toBe(0);
    expect(readFileSync(fileAt('b.txt'), 'utf8')).toBe('world');
  });

  it('refresh-only records drift in state without changing the file', async () => {
    const vars = ['-var', 'content=world', '-var', 'path=b.txt', '-input=false'];
    writeFileSync(fileAt('b.txt'), 'edited by hand');
    const result = await terraform(['apply', '-refresh-only', '-auto-approve', ...vars]);
    expect(result.code, result.output).toBe(0);
    expect(fileState()?.content).toBe('edited by hand');
    expect(readFileSync(fileAt('b.txt'), 'utf8')).toBe('edited by hand');
  });

  it('imports an existing file', async () => {
    const vars = ['-var', 'content=edited by hand', '-var', 'path=b.txt', '-input=false'];
    const removed = await terraform(['state', 'rm', 'example_file.a']);
    expect(removed.code, removed.output).toBe(0);
    const imported = await terraform(['import', ...vars, 'example_file.a', 'b.txt']);
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(/Import successful/);
    expect(fileState()).toMatchObject({ path: 'b.txt', content: 'edited by hand', secret: SECRET });
  });

  it('finishes an apply interrupted with SIGINT and saves its state', async () => {
    const vars = ['-var', 'content=slow', '-var', 'path=b.txt', '-var', 'delay_ms=2500'];
    const result = await tf.run(['apply', '-auto-approve', '-input=false', '-no-color', ...vars], {
      env: { ...process.env, TF_VAR_secret: SECRET, TF_VAR_base_dir: files },
      onStart: (child, output) => {
        const poll = setInterval(() => {
          if (/Modifying\.\.\./.test(output())) {
            clearInterval(poll);
            killGroup(child, 'SIGINT');
          }
        }, 50);
        child.once('close', () => clearInterval(poll));
      },
    });
    expect(result.output).toMatch(/Interrupt received/);
    expect(result.output).toMatch(/Modifications complete/);
    expect(readFileSync(fileAt('b.txt'), 'utf8')).toBe('slow');
    expect(fileState()?.content).toBe('slow');
  });

  it('keeps the sensitive value out of TF_LOG=debug output', async () => {
    const vars = ['-var', 'content=logged', '-var', 'path=b.txt', '-input=false'];
    const result = await terraform(['apply', '-auto-approve', ...vars], { TF_LOG: 'debug' });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/provider\.terraform-provider-example/);
    expect(result.output).not.toContain(SECRET);
    // go-plugin parsed our hclog JSON lines: levels and messages, not raw JSON.
    expect(result.output).toMatch(
      /\[DEBUG\] provider\.terraform-provider-example[^:]*: ApplyResourceChange done/,
    );
    expect(result.output).not.toContain('{"@level"');
  });

  it('destroys', async () => {
    const vars = ['-var', 'content=logged', '-var', 'path=b.txt', '-input=false'];
    const result = await terraform(['destroy', '-auto-approve', ...vars]);
    expect(result.code, result.output).toBe(0);
    expect(existsSync(fileAt('b.txt'))).toBe(false);
    expect(existsSync(fileAt('b.txt.secret'))).toBe(false);
    expect(state().resources.filter((r) => r.mode === 'managed')).toEqual([]);
    timings.destroy = result.ms;
  });
});
