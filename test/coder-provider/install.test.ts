import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { packageRoot } from '../../provider/devdb/package-layout.js';
import { installTestMirror } from './install.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'coder-standin-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('installTestMirror: devdb and the coder stand-in install offline from one mirror', async () => {
  const mirror = await installTestMirror(join(root, 'mirror'));
  expect(mirror.sources).toEqual([
    'registry.terraform.io/devdb/devdb',
    'registry.terraform.io/coder/coder',
  ]);
  const config = readFileSync(mirror.cliConfigFile, 'utf8');
  expect(config).toMatch(
    /filesystem_mirror \{[^}]*include = \["registry.terraform.io\/devdb\/devdb", "registry.terraform.io\/coder\/coder"\]/,
  );
  expect(config).toMatch(
    /direct \{\s*exclude = \["registry.terraform.io\/devdb\/devdb", "registry.terraform.io\/coder\/coder"\]/,
  );
  // Beside the extension-less CommonJS bundle, so Node never loads it as ESM.
  const beside = join(mirror.coderExecutable, '..', 'package.json');
  expect(JSON.parse(readFileSync(beside, 'utf8'))).toEqual({ type: 'commonjs' });

  const dir = join(root, 'work');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.tf'),
    `terraform {
  required_providers {
    coder = { source = "coder/coder", version = "~> 2.15" }
    devdb = { source = "devdb/devdb" }
  }
}
`,
  );
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: mirror.cliConfigFile,
  };
  await run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env });
  const lock = readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8');
  expect(lock).toContain('provider "registry.terraform.io/coder/coder"');
  expect(lock).toMatch(/version\s+= "2\.17\.0"/);
  expect(lock).toContain('provider "registry.terraform.io/devdb/devdb"');
  const { stdout } = await run('terraform', ['version', '-json'], { cwd: dir, env });
  expect(JSON.parse(stdout).provider_selections).toEqual({
    'registry.terraform.io/coder/coder': '2.17.0',
    'registry.terraform.io/devdb/devdb': expect.any(String),
  });
});

test('shipped code never imports the stand-in', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      } else if (
        /\.(ts|js)$/.test(entry.name) &&
        readFileSync(full, 'utf8').includes('coder-provider/')
      ) {
        offenders.push(relative(packageRoot(), full));
      }
    }
  };
  for (const shipped of ['provider', 'server', 'agent', 'provisioning']) {
    walk(join(packageRoot(), shipped));
  }
  expect(offenders).toEqual([]);
});
