/**
 * Fast restarts (scripts/build.js --if-stale, scripts/build-stamp.js): a build is
 * skipped only when dist/ is complete and was built from exactly the sources there
 * are now, compared by content in a real git repository; and the build prints no
 * warnings (esbuild's are returned by the provider's bundler).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleProvider } from '../../provider/plugin/bundle.js';
// @ts-expect-error: a plain JavaScript build script, without types
import * as buildStamp from '../../scripts/build-stamp.js';

interface BuildStamp {
  OUTPUTS: string[];
  fingerprint(root: string): string | null;
  isFresh(stamp: string | null, root: string): boolean;
  writeStamp(stamp: string | null, root: string): void;
  clearStamp(root: string): void;
}
const { OUTPUTS, fingerprint, isFresh, writeStamp, clearStamp } = buildStamp as BuildStamp;

let root: string;
const file = (name: string) => path.join(root, name);
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'devdb-build-stamp-'));
  git('init', '-q');
  await mkdir(file('server'), { recursive: true });
  await writeFile(file('server/a.ts'), 'export const a = 1;\n');
  await writeFile(file('package.json'), '{}\n');
  await writeFile(file('.gitignore'), 'dist/\nserver/ignored.ts\n');
  git('add', '.');
  for (const output of OUTPUTS) {
    await mkdir(path.dirname(file(output)), { recursive: true });
    await writeFile(file(output), '');
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Builds "now" (the stamp only), then applies `change`: is dist/ still fresh? */
async function freshAfter(change: () => Promise<unknown>): Promise<boolean> {
  writeStamp(fingerprint(root), root);
  await change();
  return isFresh(fingerprint(root), root);
}

describe('npm start builds only when the sources changed', () => {
  it('is fresh right after a build, and stays so when a file is touched but not changed', async () => {
    expect(await freshAfter(async () => undefined)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    expect(await freshAfter(() => utimes(file('server/a.ts'), later, later))).toBe(true);
  });

  it('is stale after an edit, a new file, or a deleted one; an ignored file changes nothing', async () => {
    expect(await freshAfter(() => writeFile(file('server/a.ts'), 'export const a = 2;\n'))).toBe(
      false,
    );
    expect(await freshAfter(() => writeFile(file('server/new.ts'), 'export {};\n'))).toBe(false);
    expect(await freshAfter(() => rm(file('server/new.ts')))).toBe(false);
    expect(await freshAfter(() => rm(file('server/a.ts')))).toBe(false);
    expect(await freshAfter(() => writeFile(file('server/ignored.ts'), 'x'))).toBe(true);
  });

  it('is stale while a build is under way or after one stopped half-way', async () => {
    expect(await freshAfter(async () => clearStamp(root))).toBe(false);
    expect(await freshAfter(() => rm(file(OUTPUTS[0]!)))).toBe(false);
  });

  it('has no fingerprint outside a git clone: every build runs', async () => {
    const plain = await mkdtemp(path.join(tmpdir(), 'devdb-build-plain-'));
    try {
      expect(fingerprint(plain)).toBeNull();
      expect(isFresh(null, plain)).toBe(false);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });
});

describe('the build', () => {
  it("bundles the provider without esbuild's import.meta warnings", async () => {
    const outfile = path.join(root, 'provider-bundle');
    const warnings = await bundleProvider({ entry: 'dist/provider/devdb/main.js', outfile });
    expect(warnings).toEqual([]);
  });
});
