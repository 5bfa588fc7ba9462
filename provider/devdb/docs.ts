/**
 * The provider's reference pages (docs/, Terraform registry layout), generated
 * from the schema declaration plus the written examples in ./examples.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateDocs } from '../plugin/index.js';
import { devdbProvider } from './provider.js';

const EXAMPLES = [
  'index',
  'resources/database',
  'resources/team',
  'data-sources/database',
  'data-sources/teams',
];

function example(name: string): string {
  // The build copies ./examples beside the compiled module, as it does migrations.
  const file = fileURLToPath(new URL(`./examples/${name}.tf`, import.meta.url));
  return readFileSync(file, 'utf8').trimEnd();
}

export function devdbDocs(): Record<string, string> {
  return generateDocs(devdbProvider as never, {
    examples: Object.fromEntries(EXAMPLES.map((name) => [name, example(name)])),
    imports: {
      database: [
        '```shell',
        '# {database}/{workspace_id}. Passwords are stored nowhere, so importing re-keys the',
        "# workspace's login role: the imported state holds a fresh password that works.",
        'terraform import devdb_database.db dev_alice/6f1c2c4e-8d0a-4a8e-9a3b-2f1d0c9b7e55',
        '```',
      ].join('\n'),
      team: ['```shell', 'terraform import devdb_team.frontend frontend-project', '```'].join('\n'),
    },
  });
}
