// The agent bundle is one small file with pg as its only dependency: the build
// fails when it would pull in DevDB modules other than the pure shared ones.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bundleAgent, SHARED_FOLDER } from '../../agent/bundle.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'devdb-agent-bundle-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('holds the agent, the shared pure modules and pg, nothing else', async () => {
  const inputs = await bundleAgent('dist/agent/main.js', path.join(dir, 'a', 'devdb-agent'));
  const devdb = inputs.filter((f) => !f.includes('node_modules/') && !f.startsWith('dist/agent/'));
  expect(devdb.length).toBeGreaterThan(0);
  for (const file of devdb) expect(file).toMatch(new RegExp(`^dist/${SHARED_FOLDER}[a-z-]+\\.js$`));
  const packages = new Set(inputs.map((f) => /node_modules\/([^/]+)/.exec(f)?.[1]).filter(Boolean));
  for (const name of packages) expect(name).toMatch(/^(pg|pg-.*|pgpass|postgres-.*|split2|xtend)$/);
});

test('refuses an entry that imports another provisioning module', async () => {
  const entry = path.join(dir, 'entry.js');
  const queries = path.resolve('dist/provisioning/databases/queries.js');
  await writeFile(
    entry,
    `import { listTeams } from ${JSON.stringify(queries)};\nconsole.log(listTeams);\n`,
  );
  await expect(bundleAgent(entry, path.join(dir, 'b', 'devdb-agent'))).rejects.toThrow(
    /must not include .*dist\/provisioning\/databases\/queries\.js/,
  );
});
