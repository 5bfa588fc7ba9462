import { afterAll, beforeAll, expect, test } from 'vitest';
import { coderWorkdir, type CoderWorkdir } from './harness.js';

// provider/constructs/schemas/coder.json, which the construct library's `coder`
// bindings are generated from, is `terraform providers schema -json` of the stand-in.
// Refresh it with `npm run schema:coder` (vitest --update of this file).

let work: CoderWorkdir;
beforeAll(async () => {
  work = await coderWorkdir('schema');
});
afterAll(() => work?.cleanup());

test('coder.json is the stand-in schema as terraform reports it', async () => {
  const { stdout } = await work.tf(['providers', 'schema', '-json']);
  const schema = JSON.parse(stdout) as {
    provider_schemas: Record<
      string,
      { resource_schemas: object; data_source_schemas: object; provider: object }
    >;
  };
  const coder = schema.provider_schemas['registry.terraform.io/coder/coder'];
  expect(Object.keys(schema.provider_schemas)).toEqual(['registry.terraform.io/coder/coder']);
  expect(Object.keys(coder!.resource_schemas).sort()).toEqual([
    'coder_agent',
    'coder_app',
    'coder_env',
    'coder_metadata',
    'coder_script',
  ]);
  expect(Object.keys(coder!.data_source_schemas).sort()).toEqual([
    'coder_parameter',
    'coder_workspace',
    'coder_workspace_owner',
  ]);
  await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(
    '../../provider/constructs/schemas/coder.json',
  );
});
