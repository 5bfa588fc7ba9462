import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devdbDocs } from '../../provider/devdb/docs.js';
import { providerSchemaJson, SCHEMA_JSON_FILE } from '../../provider/devdb/schema-json.js';

// Checked-in artifacts derived from the provider's one schema declaration must not drift.
describe('devdb provider artifacts', () => {
  it('docs/ holds the reference pages the schema and examples generate (npm run docs)', async () => {
    const pages = devdbDocs();
    expect(Object.keys(pages).sort()).toEqual([
      'data-sources/database.md',
      'data-sources/teams.md',
      'index.md',
      'resources/database.md',
      'resources/team.md',
    ]);
    for (const [page, text] of Object.entries(pages)) {
      const onDisk = await readFile(path.join('docs', page), 'utf8');
      expect(onDisk, `docs/${page} is stale: run npm run docs`).toBe(text);
    }
  });

  it('provider/devdb/schema.json is what terraform reports for the built provider (npm run schema)', async () => {
    const checkedIn = await readFile(SCHEMA_JSON_FILE, 'utf8');
    expect(await providerSchemaJson(), `${SCHEMA_JSON_FILE} is stale: run npm run schema`).toBe(
      checkedIn,
    );
  });
});
