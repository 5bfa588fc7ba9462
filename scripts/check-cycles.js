// Part of `npm run lint`: refuses any import cycle among DevDB's own modules, type-only
// imports included. eslint's import-x/no-cycle skips `import type` by design, yet a
// type-only cycle still ties two modules together (neither can move or be understood
// alone), which docs/architecture.md says never happens. TypeScript's own scanner lists
// every import and re-export of each file; a strongly connected component of more than
// one file (or a file importing itself) is a cycle. test/lint/cycles.test.ts proves it
// catches one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const CHECKED_FOLDERS = ['provisioning', 'provider', 'agent', 'server', 'templates'];
const SKIPPED = new Set(['node_modules', 'dist', '.gen', '.terraform']);

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The DevDB files `file` imports (relative specifiers only), type-only imports included. */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'))
    .filter((target) => existsSync(target));
}

/** Each cycle (a list of files, relative to root) among the .ts files under `folders`. */
export function findCycles(root, folders = CHECKED_FOLDERS) {
  const files = folders.flatMap((folder) => sourceFiles(path.join(root, folder)));
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  // Tarjan's strongly connected components, iterative-free: the graph is small.
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  let next = 0;
  const visit = (file) => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file), low.get(target)));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file), index.get(target)));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
      cycles.push(component.map((f) => path.relative(root, f)).sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cycles = findCycles(process.cwd());
  for (const cycle of cycles) {
    console.error(`import cycle (type-only imports count): ${cycle.join(' ↔ ')}`);
  }
  if (cycles.length) {
    console.error(
      'Break each cycle: move the shared type or function to the module both may import.',
    );
    process.exit(1);
  }
}
