/**
 * The provider's schema as Terraform reports it (`terraform providers schema
 * -json`). Checked in as provider/devdb/schema.json: the construct library's
 * bindings are generated from it, and a test fails when it drifts from the code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { installToMirror } from './package-layout.js';

const run = promisify(execFile);

export const SCHEMA_JSON_FILE = 'provider/devdb/schema.json';

/** Installs the built provider in a throwaway mirror and asks terraform for its schema. */
export async function providerSchemaJson(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devdb-schema-'));
  try {
    const installed = await installToMirror(path.join(dir, 'mirror'));
    const config =
      'terraform {\n  required_providers {\n    devdb = { source = "devdb/devdb" }\n  }\n}\n';
    await writeFile(path.join(dir, 'main.tf'), config);
    const env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: installed.cliConfigFile,
      CHECKPOINT_DISABLE: '1',
    };
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env });
    const { stdout } = await run('terraform', ['providers', 'schema', '-json'], { cwd: dir, env });
    return `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
