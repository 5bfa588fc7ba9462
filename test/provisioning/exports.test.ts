/**
 * The library's public surface (`import { … } from 'devdb'`, provisioning/index.ts) is a
 * list of names, not "everything": this test holds it against the golden
 * public-exports.txt, so adding or removing a name is a reviewed change. After an
 * intended change: UPDATE_GOLDEN=1 npx vitest run test/provisioning/exports.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';
import * as library from '../../provisioning/index.js';

const INDEX = path.resolve(import.meta.dirname, '../../provisioning/index.ts');
const GOLDEN = path.join(import.meta.dirname, 'public-exports.txt');

/** Each name index.ts exports, `type ` before those that are types only. */
function declaredExports(): string[] {
  const source = ts.createSourceFile(INDEX, readFileSync(INDEX, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    const clause = statement.exportClause;
    if (!clause || !ts.isNamedExports(clause)) {
      throw new Error('provisioning/index.ts must export by name (no `export *`)');
    }
    for (const element of clause.elements) {
      const typeOnly = statement.isTypeOnly || element.isTypeOnly;
      names.push(`${typeOnly ? 'type ' : ''}${element.name.text}`);
    }
  }
  return names.sort((a, b) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, ''), 'en'));
}

test('provisioning/index.ts exports by name exactly the reviewed list', () => {
  const actual = `${declaredExports().join('\n')}\n`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, actual);
  expect(
    actual,
    'the public exports changed: review, then UPDATE_GOLDEN=1 npx vitest run test/provisioning/exports.test.ts',
  ).toBe(readFileSync(GOLDEN, 'utf8'));
});

test('every value the list names is exported at run time, and nothing else', () => {
  const values = declaredExports().filter((name) => !name.startsWith('type '));
  expect(Object.keys(library).sort()).toEqual([...values].sort());
});
