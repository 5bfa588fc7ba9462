// `npm run openapi`: refreshes docs/openapi.json from the control plane's route schemas.
import { writeFile } from 'node:fs/promises';
import { OPENAPI_FILE, openApiJson } from '../dist/server/api/index.js';

await writeFile(OPENAPI_FILE, await openApiJson());
console.log(`wrote ${OPENAPI_FILE}`);
