import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../provider/devdb/package-layout.js';
import { startTestDevDb, writeDataDirCredentials, type TestDevDb } from '../helpers/devdb.js';

// Every ```ts / ```js block of docs/library.md, run for real as an ES module that
// imports 'devdb' (Node resolves the package's own name through its "exports",
// so the blocks run from a directory inside the package, on the built dist/).

const root = packageRoot();
const run = promisify(execFile);

async function docBlocks(): Promise<{ line: number; code: string }[]> {
  const text = await readFile(path.join(root, 'docs', 'library.md'), 'utf8');
  const blocks: { line: number; code: string }[] = [];
  for (const match of text.matchAll(/^```(ts|js)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length;
    const code =
      match[1] === 'ts' ? (await transform(match[2]!, { loader: 'ts' })).code : match[2]!;
    blocks.push({ line, code });
  }
  return blocks;
}

let devdb: TestDevDb;
let scripts: string;
let cwd: string;

beforeAll(async () => {
  if (!existsSync(path.join(root, 'dist', 'provisioning', 'index.js'))) {
    throw new Error('the examples import the built package: run `npm run build` first');
  }
  devdb = await startTestDevDb();
  // Inside the package (for the self-reference), git-ignored, removed afterwards.
  await mkdir(path.join(root, '.devdb'), { recursive: true });
  scripts = await mkdtemp(path.join(root, '.devdb', 'library-docs-'));
  // The working directory holds the `.devdb/credentials.json` the examples open.
  cwd = await mkdtemp(path.join(tmpdir(), 'devdb-library-docs-'));
  await mkdir(path.join(cwd, '.devdb'));
  await writeDataDirCredentials(devdb, path.join(cwd, '.devdb'));
});

afterAll(async () => {
  await Promise.all([scripts, cwd].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  await devdb?.stop();
});

describe('docs/library.md examples', async () => {
  const blocks = await docBlocks();

  it('has examples', () => expect(blocks.length).toBeGreaterThan(8));

  it.each(blocks.map((b) => [b.line, b.code] as const))(
    'block at line %i runs',
    async (line, code) => {
      const file = path.join(scripts, `block-${line}.mjs`);
      await writeFile(file, code);
      const result = await run(process.execPath, [file], {
        cwd,
        env: { ...process.env, DEVDB_ADMIN_URL: devdb.provisionerUrl },
        timeout: 60_000,
      }).catch((error: { stderr?: string; message: string }) => {
        throw new Error(`docs/library.md:${line} failed:\n${error.stderr ?? error.message}`);
      });
      expect(result.stderr).toBe('');
    },
  );
});
