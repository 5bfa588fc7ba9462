/**
 * server/dashboard/api/openapi.ts, the dashboard's API types, is what
 * openapi-typescript makes of docs/openapi.json today: generated again in memory
 * (scripts/dashboard-types.js --stdout) and compared with the checked-in file.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const TYPES_FILE = 'server/dashboard/api/openapi.ts';

describe('the dashboard API types', () => {
  it(`${TYPES_FILE} is what docs/openapi.json generates (npm run dashboard:types)`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['scripts/dashboard-types.js', '--stdout'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const checkedIn = await readFile(TYPES_FILE, 'utf8');
    expect(stdout, `${TYPES_FILE} is stale: run npm run dashboard:types`).toBe(checkedIn);
  });
});
