import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, openApiJson } from '../../../server/api/index.js';

describe('the OpenAPI document', () => {
  it('docs/openapi.json is what the route schemas generate (npm run openapi)', async () => {
    const checkedIn = await readFile(OPENAPI_FILE, 'utf8');
    expect(await openApiJson(), `${OPENAPI_FILE} is stale: run npm run openapi`).toBe(checkedIn);
  });
});
