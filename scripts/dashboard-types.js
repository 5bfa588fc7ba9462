// `npm run dashboard:types`: writes server/dashboard/api/openapi.ts, the REST API's
// request and response types for the dashboard, generated from docs/openapi.json by
// openapi-typescript and formatted by prettier like the rest of the tree (`npm run
// openapi` runs it after writing docs/openapi.json). With `--stdout` it prints the
// file instead: test/server/dashboard/types.test.ts compares that with the checked-in one.
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

const SOURCE = 'docs/openapi.json';
const TARGET = 'server/dashboard/api/openapi.ts';
const HEADER = `/**
 * The REST API's types, generated from ${SOURCE} by openapi-typescript: do not
 * edit. \`npm run dashboard:types\` regenerates it (\`npm run openapi\` does too).
 */
`;

const document = JSON.parse(await readFile(SOURCE, 'utf8'));
const source = HEADER + astToString(await openapiTS(document));
const options = { ...(await prettier.resolveConfig(TARGET)), filepath: TARGET };
const text = await prettier.format(source, options);

if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  await writeFile(TARGET, text);
  console.log(`wrote ${TARGET}`);
}
