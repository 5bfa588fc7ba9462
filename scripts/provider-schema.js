// `npm run schema`: refreshes provider/devdb/schema.json from `terraform providers schema -json`.
import { writeFile } from 'node:fs/promises';
import { providerSchemaJson, SCHEMA_JSON_FILE } from '../dist/provider/devdb/schema-json.js';

await writeFile(SCHEMA_JSON_FILE, await providerSchemaJson());
console.log(`wrote ${SCHEMA_JSON_FILE}`);
