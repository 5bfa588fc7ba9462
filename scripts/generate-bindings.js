// Generates the CDK Terrain (cdktn) bindings the construct library uses, from
// schema JSON files the project keeps: devdb (the provider's own
// `terraform providers schema -json`), coder and a docker subset. Runs in the
// build; the output (provider/constructs/.gen/) is not committed.
import { readFileSync, rmSync } from 'node:fs';

// The generator's dependencies look for terraform and phone home when loaded:
// neither is wanted, or possible offline, in a build.
process.env.CHECKPOINT_DISABLE = '1';
process.env.TERRAFORM_BINARY_NAME = '/nonexistent/terraform';

const { CodeMaker, TerraformProviderGenerator } = await import('@cdktn/provider-generator');
const { ConstructsMakerProviderTarget, LANGUAGES, TerraformProviderConstraint } =
  await import('@cdktn/commons');

const OUT = 'provider/constructs/.gen';
const PROVIDERS = [
  { schema: 'provider/devdb/schema.json', constraint: 'devdb/devdb' },
  { schema: 'provider/constructs/schemas/coder.json', constraint: 'coder/coder@~> 2.15' },
  { schema: 'provider/constructs/schemas/docker.json', constraint: 'kreuzwerker/docker@~> 3.0' },
];

rmSync(OUT, { recursive: true, force: true });
for (const { schema, constraint } of PROVIDERS) {
  // One generator per provider: a shared one names every provider class after
  // the first provider's (its parser de-duplicates the type name "provider").
  const code = new CodeMaker();
  // ESM with explicit .js extensions, as this package's NodeNext modules require.
  const generator = new TerraformProviderGenerator(code, JSON.parse(readFileSync(schema, 'utf8')), {
    importExtension: '.js',
  });
  generator.generate(
    new ConstructsMakerProviderTarget(new TerraformProviderConstraint(constraint), LANGUAGES[0]),
  );
  await code.save(OUT);
}
