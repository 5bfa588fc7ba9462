/**
 * server/ runs no SQL of its own (eslint.config.js, docs/architecture-sql.md): a
 * member call named `query` under server/ fails the lint, written in memory as if
 * it were a file there; the same code elsewhere, and what server/ does instead
 * (call a provisioning function, read a request's query string, forward a pool's
 * query to count statements), passes; and the real server/ passes.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RULE = 'no-restricted-syntax';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The no-restricted-syntax messages ESLint reports for `code` as the file `filePath`. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result!.messages
    .filter((message) => message.ruleId === RULE)
    .map((message) => message.message);
}

const module = (body: string) =>
  `import type pg from 'pg';\n\nexport async function probe(pool: pg.Pool, client: pg.PoolClient) {\n  ${body}\n}\n`;

describe('server/ runs no SQL: each way of sending a statement fails', () => {
  it.each([
    ['a pool query', 'server/probe.ts', `await pool.query('SELECT 1');`],
    [
      'a typed client query',
      'server/commands/probe.ts',
      `return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM provisioning.databases')).rows;`,
    ],
    [
      'a query on a member',
      'server/serve/probe.ts',
      `const ctx = { db: pool };\n  await ctx.db.query('SELECT 1');`,
    ],
    ['an optional call', 'server/api/probe.ts', `await pool?.query('SELECT 1');`],
    ['a computed member', 'server/probe.ts', `await pool['query']('SELECT 1');`],
  ])('%s', async (_name, filePath, body) => {
    expect(await problems(filePath, module(body))).toEqual([
      expect.stringContaining('server/ runs no SQL of its own'),
    ]);
  });
});

describe('server/ runs no SQL: what is allowed', () => {
  it.each([
    [
      'calling a provisioning function',
      'server/probe.ts',
      `import { ping } from '../provisioning/index.js';\n\nexport async function probe(pool: Parameters<typeof ping>[0]) {\n  await ping(pool);\n}\n`,
    ],
    [
      "reading a request's query string",
      'server/api/probe.ts',
      `export function probe(request: { query: { limit?: number } }) {\n  return request.query.limit;\n}\n`,
    ],
    [
      "forwarding a pool's query (counting statements, server/api/live.ts)",
      'server/api/probe.ts',
      module(
        `let n = 0;\n  return { query: (...args: unknown[]) => (n++, (pool.query as (...a: unknown[]) => unknown)(...args)) };`,
      ),
    ],
    [
      'the same call in provisioning/',
      'provisioning/probe.ts',
      module(`await pool.query('SELECT 1');`),
    ],
    ['the same call in a test', 'test/server/probe.ts', module(`await pool.query('SELECT 1');`)],
  ])('%s', async (_name, filePath, code) => {
    expect(await problems(filePath, code)).toEqual([]);
  });
});

describe('server/ runs no SQL: the real tree', () => {
  it('passes', { timeout: 300_000 }, async () => {
    const results = await eslint.lintFiles(['server']);
    const found = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === RULE)
        .map((message) => `${path.relative(ROOT, result.filePath)}:${message.line}`),
    );
    expect(found).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });
});
