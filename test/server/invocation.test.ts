import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devdbCommand, devdbInvocation, runnableText, shellWord } from '../../server/invocation.js';
import { buildProgram } from '../../server/program.js';
import { fields, render, table, text } from '../../server/render.js';
import { captureIO } from '../helpers/cli-io.js';

// Which form of `devdb` a hint is printed in (server/invocation.ts), decided from
// how the process was started. The hints run as printed: test/server/hints-run.test.ts.

let root: string;
let script: string;
let node: string;
/** A folder holding a `node` that is this one, as a PATH entry. */
let nodeDir: string;

async function executable(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/usr/bin/env node\n');
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'devdb-invocation-'));
  script = await executable(path.join(root, 'pkg', 'dist', 'server', 'cli.js'));
  node = await executable(path.join(root, 'nodejs', 'bin', 'node'));
  nodeDir = path.dirname(node);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const launch = () => ({ script, node });

describe('devdbInvocation', () => {
  it('says devdb when the devdb on the PATH is this file (npm install -g, npm link)', async () => {
    const bin = path.join(root, 'global', 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(script, path.join(bin, 'devdb'));
    expect(devdbInvocation({ script: path.join(bin, 'devdb'), node }, { PATH: bin })).toBe('devdb');
    // Started some other way, the devdb on the PATH is still this one.
    expect(devdbInvocation(launch(), { PATH: `/nowhere:${bin}` })).toBe('devdb');
    // Another devdb on the PATH is not this one.
    const other = await executable(path.join(root, 'other', 'devdb'));
    expect(devdbInvocation(launch(), { PATH: `${path.dirname(other)}:${nodeDir}` })).toBe(
      `node ${script}`,
    );
  });

  it('says npx devdb when npm started it in a project whose npx devdb is this file', async () => {
    // A clone: the project's own bin.
    const clone = path.join(root, 'pkg');
    await writeFile(
      path.join(clone, 'package.json'),
      JSON.stringify({ name: 'devdb', bin: { devdb: 'dist/server/cli.js' } }),
    );
    // What npm start sets; npm puts the project's node_modules/.bin first on the PATH,
    // which the person's shell does not have.
    const npmBin = path.join(clone, 'node_modules', '.bin');
    await mkdir(npmBin, { recursive: true });
    await symlink(script, path.join(npmBin, 'devdb'));
    const npmStart = {
      npm_lifecycle_event: 'start',
      npm_command: 'run-script',
      npm_config_local_prefix: clone,
      PATH: `${npmBin}:${nodeDir}`,
    };
    expect(devdbInvocation(launch(), npmStart)).toBe('npx devdb');

    // A project that installed it: node_modules/.bin/devdb.
    const project = path.join(root, 'project');
    const projectBin = path.join(project, 'node_modules', '.bin');
    await mkdir(projectBin, { recursive: true });
    await symlink(script, path.join(projectBin, 'devdb'));
    const npx = { npm_command: 'exec', npm_config_local_prefix: project, PATH: nodeDir };
    expect(devdbInvocation(launch(), npx)).toBe('npx devdb');

    // npm in a project that does not have it: npx would ask the registry.
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(path.join(elsewhere, 'package.json'), '{"name":"app"}');
    const unrelated = { ...npx, npm_config_local_prefix: elsewhere };
    expect(devdbInvocation(launch(), unrelated)).toBe(`node ${script}`);
    // Without npm, a project's npx is not assumed either.
    expect(devdbInvocation(launch(), { npm_config_local_prefix: project, PATH: nodeDir })).toBe(
      `node ${script}`,
    );
  });

  it('else names node and the script by absolute path, quoted for sh when needed', async () => {
    expect(devdbInvocation(launch(), { PATH: nodeDir })).toBe(`node ${script}`);
    // No node on the PATH: this node's own path.
    expect(devdbInvocation(launch(), { PATH: '' })).toBe(`${node} ${script}`);
    const spaced = await executable(path.join(root, "it's here", 'cli.js'));
    expect(devdbInvocation({ script: spaced, node }, { PATH: nodeDir })).toBe(
      `node '${root}/it'\\''s here/cli.js'`,
    );
  });

  it('quotes a word for sh only when it must', () => {
    expect(shellWord('/tmp/devdb-x/data')).toBe('/tmp/devdb-x/data');
    expect(shellWord('a b')).toBe(`'a b'`);
    expect(shellWord('$HOME')).toBe(`'$HOME'`);
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });
});

describe('hints where they are printed', () => {
  it('write every `devdb …` of a message, a table or a log line in the form that runs here', () => {
    const io = { ...captureIO({ env: { PATH: nodeDir } }), launch: launch() };
    expect(devdbCommand(io, 'stop', '--data-dir', '/srv/dev db')).toBe(
      `node ${script} stop --data-dir '/srv/dev db'`,
    );
    expect(runnableText(io, 'no such database; `devdb list` shows them (see devdb up)')).toBe(
      `no such database; \`node ${script} list\` shows them (see devdb up)`,
    );
    // In-process (tests), and wherever `devdb` is the form: unchanged.
    expect(runnableText(captureIO(), '`devdb list`')).toBe('`devdb list`');
  });

  it('errors and command output name the command as it runs here', async () => {
    const io = { ...captureIO({ env: { PATH: nodeDir } }), launch: launch() };
    const missing = path.join(root, 'no-data-dir');
    expect(await buildProgram(io).run(['admin-url', '--data-dir', missing])).toBe(1);
    expect(io.stderrText()).toBe(
      `devdb: no DevDB credentials in ${missing}: run \`node ${script} up\` first\n`,
    );
    render(
      {
        blocks: [
          fields([{ label: 'next', value: 'run `devdb doctor --fix`' }]),
          table([{ hint: '`devdb list` shows them' }], [{ header: 'hint', value: (r) => r.hint }]),
          text('see `devdb backup keygen`\n'),
        ],
      },
      io,
    );
    const printed = io.stdoutText();
    expect(printed).toContain(`next  run \`node ${script} doctor --fix\`\n`);
    expect(printed).toContain(`│ \`node ${script} list\` shows them │`);
    expect(printed).toContain(`see \`node ${script} backup keygen\`\n`);
    expect(printed).not.toContain('`devdb ');
  });
});
