/**
 * The layering rules of eslint.config.js (README "Layout"): each one fails on a
 * deliberate violation, written in memory as if it were a file of that folder, and
 * the real tree passes them all.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAYERING_RULES = [
  'import-x/no-restricted-paths',
  'import-x/no-cycle',
  'import-x/no-unresolved',
];

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The layering problems ESLint reports for `code` as the file `filePath`. */
async function layeringProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result!.messages
    .filter((message) => LAYERING_RULES.includes(message.ruleId ?? ''))
    .map((message) => `${message.ruleId}: ${message.message}`);
}

const importing = (specifier: string) =>
  `import * as probe from '${specifier}';\nexport { probe };\n`;

describe('layering: each rule rejects a deliberate violation', () => {
  it.each([
    ['provisioning imports server', 'provisioning/probe.ts', '../server/cli.js'],
    ['provisioning imports provider', 'provisioning/probe.ts', '../provider/devdb/provider.js'],
    ['provisioning imports agent', 'provisioning/probe.ts', '../agent/main.js'],
    [
      'provider/plugin imports provisioning',
      'provider/plugin/probe.ts',
      '../../provisioning/index.js',
    ],
    [
      'provider/plugin imports provider/devdb',
      'provider/plugin/rpc/probe.ts',
      '../../devdb/provider.js',
    ],
    [
      'provider/devdb reaches into plugin internals',
      'provider/devdb/probe.ts',
      '../plugin/values/value.js',
    ],
    ['templates reach into plugin internals', 'templates/probe.ts', '../provider/plugin/serve.js'],
    [
      'a test outside the plugin reaches into it',
      'test/server/probe.ts',
      '../../provider/plugin/values/value.js',
    ],
    ['agent imports server', 'agent/probe.ts', '../server/cli.js'],
    ['agent imports provider', 'agent/probe.ts', '../provider/devdb/provider.js'],
    ['provider/devdb imports server', 'provider/devdb/probe.ts', '../../server/cli.js'],
    [
      'provider/constructs imports provider/devdb',
      'provider/constructs/probe.ts',
      '../devdb/provider.js',
    ],
    ['shipped code imports a test helper', 'server/probe.ts', '../test/helpers/devdb.js'],
    ['server imports provider/devdb', 'server/probe.ts', '../provider/devdb/provider.js'],
    ['server imports the agent', 'server/probe.ts', '../agent/main.js'],
    [
      'server reaches into a provisioning file',
      'server/probe.ts',
      '../provisioning/databases/queries.js',
    ],
    [
      'the provider reaches into a provisioning file',
      'provider/devdb/probe.ts',
      '../../provisioning/databases/attachments.js',
    ],
    ['the agent imports more than the contract', 'agent/probe.ts', '../provisioning/index.js'],
    [
      'a test reaches into a provisioning file',
      'test/server/probe.ts',
      '../../provisioning/databases/queries.js',
    ],
    ['a concept imports a higher layer', 'provisioning/databases/probe.ts', '../policy/index.js'],
    [
      'a concept imports one of its own layer',
      'provisioning/access/probe.ts',
      '../enrollment/index.js',
    ],
    [
      "a concept reaches into a lower concept's files",
      'provisioning/backups/probe.ts',
      '../databases/queries.js',
    ],
    ['a concept imports the library front door', 'provisioning/servers/probe.ts', '../index.js'],
    ['the contract imports the schema', 'provisioning/contract/probe.ts', '../schema/index.js'],
    [
      'the dashboard imports provisioning beyond its units',
      'server/dashboard/probe.ts',
      '../../provisioning/index.js',
    ],
    ['the dashboard imports server code', 'server/dashboard/probe.ts', '../api/index.js'],
    [
      "the dashboard imports the provider's installation layout",
      'server/dashboard/ui/probe.ts',
      '../../../provider/devdb/package-layout.js',
    ],
  ])('%s', async (_name, filePath, specifier) => {
    const problems = await layeringProblems(filePath, importing(specifier));
    expect(problems).toEqual([expect.stringContaining('import-x/no-restricted-paths')]);
  });

  it('an import that does not resolve (which the path rules could not see)', async () => {
    const problems = await layeringProblems(
      'provisioning/probe.ts',
      importing('./no-such-file.js'),
    );
    expect(problems).toEqual([expect.stringContaining('import-x/no-unresolved')]);
  });

  it('an import cycle', async () => {
    // A cycle needs both files on disk; a scratch folder inside the tree, removed after.
    const dir = await mkdtemp(path.join(ROOT, 'test', 'lint', 'cycle-probe-'));
    try {
      await writeFile(path.join(dir, 'a.ts'), importing('./b.js'));
      await writeFile(path.join(dir, 'b.ts'), importing('./a.js'));
      const problems = await layeringProblems(
        path.relative(ROOT, path.join(dir, 'a.ts')),
        importing('./b.js'),
      );
      expect(problems).toEqual([expect.stringContaining('import-x/no-cycle')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('layering: what is allowed', () => {
  it.each([
    ['server uses provisioning', 'server/probe.ts', '../provisioning/index.js'],
    ['agent uses the contract', 'agent/probe.ts', '../provisioning/contract/index.js'],
    ['server uses the contract', 'server/probe.ts', '../provisioning/contract/index.js'],
    [
      "server uses the provider's installation layout",
      'server/probe.ts',
      '../provider/devdb/package-layout.js',
    ],
    [
      'a concept uses a lower layer through its index',
      'provisioning/servers/probe.ts',
      '../databases/index.js',
    ],
    ['a concept uses its own files', 'provisioning/backups/probe.ts', './registry.js'],
    [
      'a test uses a concept index',
      'test/provisioning/probe.ts',
      '../../provisioning/jobs/index.js',
    ],
    ['provider/devdb uses the plugin index', 'provider/devdb/probe.ts', '../plugin/index.js'],
    [
      'the build uses the plugin bundler',
      'test/coder-provider/probe.ts',
      '../../provider/plugin/bundle.js',
    ],
    [
      'the plugin tests reach its internals',
      'test/provider/plugin/probe.ts',
      '../../../provider/plugin/values/value.js',
    ],
    ['templates use the package entry points', 'templates/probe.ts', 'devdb/constructs'],
    [
      'the dashboard formats sizes with the shared units',
      'server/dashboard/ui/probe.ts',
      '../../../provisioning/contract/units.js',
    ],
    ['the dashboard uses its own modules', 'server/dashboard/pages/probe.ts', '../ui/dom.js'],
  ])('%s', async (_name, filePath, specifier) => {
    expect(await layeringProblems(filePath, importing(specifier))).toEqual([]);
  });
});

describe('layering: the real tree', () => {
  it('passes every layering rule', { timeout: 300_000 }, async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((result) =>
      result.messages
        .filter((message) => LAYERING_RULES.includes(message.ruleId ?? ''))
        .map((message) => `${path.relative(ROOT, result.filePath)}: ${message.message}`),
    );
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });
});
