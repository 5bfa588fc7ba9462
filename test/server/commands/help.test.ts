/**
 * Every `devdb` command's --help, word for word, against a golden file in help/
 * (`devdb backup verify --help` in help/backup/verify.txt, the program's own in
 * help/devdb.txt): a change to a command's flags or wording shows up here, and is
 * accepted by rewriting the goldens with UPDATE_GOLDEN=1. The program is built in
 * this process, one per command, as `devdb COMMAND --help` would build it.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../server/program.js';
import { captureIO, runDevdb } from '../../helpers/cli-io.js';

// The default data dir is inside the checkout, and commander wraps help lines
// around it: one fixed path keeps the help the same in every checkout.
vi.mock('../../../server/data-dir.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../server/data-dir.js')>()),
  DEFAULT_DATA_DIR: '/path/to/devdb/.devdb',
}));

const GOLDEN_DIR = path.join(import.meta.dirname, 'help');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HOW_TO_UPDATE =
  'if the change is meant, rewrite the goldens with UPDATE_GOLDEN=1 npx vitest run test/server/commands/help.test.ts and commit them';

/** Each command's path below `devdb` (the program itself: []), parents before children. */
function commandPaths(command: Command, parent: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const own = [...parent, sub.name()];
    return [own, ...commandPaths(sub, own)];
  });
}

// Every command loaded, as `devdb --help` loads them (a command's module loads when it runs).
const program = buildProgram(captureIO());
await program.loadAll();
const PATHS = [[], ...commandPaths(program.command)];

const goldenFile = (names: string[]) =>
  path.join(GOLDEN_DIR, `${names.length ? names.join('/') : 'devdb'}.txt`);

async function readGolden(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Every .txt under help/, as paths relative to it. */
async function goldenFiles(): Promise<string[]> {
  const entries = await readdir(GOLDEN_DIR, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.txt'))
    .map((entry) => path.relative(GOLDEN_DIR, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('devdb --help, against the goldens in test/server/commands/help/', () => {
  it.each(PATHS.map((names) => [['devdb', ...names].join(' '), names] as const))(
    '%s --help',
    async (shown, names) => {
      const help = await runDevdb([...names, '--help']);
      expect(help.code, `${shown} --help exit code`).toBe(0);
      expect(help.stderr, `${shown} --help wrote to stderr`).toBe('');
      const file = goldenFile(names);
      const relative = path.relative(process.cwd(), file);
      if (UPDATE) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, help.stdout);
        return;
      }
      const golden = await readGolden(file);
      expect(
        golden,
        `no golden ${relative} for \`${shown} --help\`: ${HOW_TO_UPDATE}`,
      ).toBeDefined();
      expect(help.stdout, `\`${shown} --help\` differs from ${relative}: ${HOW_TO_UPDATE}`).toBe(
        golden,
      );
    },
  );

  it('keeps no golden for a command that is gone', async () => {
    const expected = PATHS.map((names) => path.relative(GOLDEN_DIR, goldenFile(names))).sort();
    const stale = (await goldenFiles()).filter((file) => !expected.includes(file));
    if (UPDATE) {
      await Promise.all(stale.map((file) => rm(path.join(GOLDEN_DIR, file))));
      return;
    }
    expect(stale, `goldens of no command: ${HOW_TO_UPDATE}`).toEqual([]);
  });
});
