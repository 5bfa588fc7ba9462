/**
 * scripts/check-cycles.js (part of `npm run lint`) refuses any import cycle, type-only
 * imports included — which eslint's import-x/no-cycle lets through by design. It
 * catches a deliberate type-only cycle, and the real tree has none.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JS build script without types
import { findCycles } from '../../scripts/check-cycles.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cycles = findCycles as (root: string, folders?: string[]) => string[][];

describe('import cycles', () => {
  it('catches a cycle of type-only imports', async () => {
    const dir = await mkdtemp(path.join(ROOT, 'test', 'lint', 'type-cycle-probe-'));
    try {
      await writeFile(
        path.join(dir, 'a.ts'),
        `import type { B } from './b.js';\nexport type A = B[];\n`,
      );
      await writeFile(
        path.join(dir, 'b.ts'),
        `import type { A } from './a.js';\nexport type B = { a?: A };\n`,
      );
      await writeFile(
        path.join(dir, 'c.ts'),
        `import type { A } from './a.js';\nexport type C = A;\n`,
      );
      const folder = path.relative(ROOT, dir);
      expect(cycles(ROOT, [folder])).toEqual([[`${folder}/a.ts`, `${folder}/b.ts`]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('catches a re-export cycle', async () => {
    const dir = await mkdtemp(path.join(ROOT, 'test', 'lint', 'export-cycle-probe-'));
    try {
      await writeFile(path.join(dir, 'index.ts'), `export * from './a.js';\n`);
      await writeFile(path.join(dir, 'a.ts'), `export { x } from './index.js';\n`);
      const folder = path.relative(ROOT, dir);
      expect(cycles(ROOT, [folder])).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds none in the shipped folders', () => {
    expect(cycles(ROOT)).toEqual([]);
  });
});
