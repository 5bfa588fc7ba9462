import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../server/program.js';
import { captureIO, runDevdb } from '../helpers/cli-io.js';

const empty = await mkdtemp(path.join(tmpdir(), 'devdb-program-'));
afterAll(() => rm(empty, { recursive: true, force: true }));

describe('devdb program, in process', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));
    expect(await runDevdb(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runDevdb(['-v'])).stdout).toBe(`${version}\n`);
  });

  it('reports a mistyped option as unknown, with a suggestion, before missing required ones', async () => {
    const result = await runDevdb(['provision', '--typ', 'team', '--owner', 'bob']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "devdb: unknown option '--typ' (did you mean --type?)\nRun 'devdb provision --help' for usage.\n",
    });
  });

  it('prints a usage error as one line and a pointer to --help, not the whole help', async () => {
    const missing = await runDevdb(['provision', '--owner', 'bob', '--workspace-id', 'w']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "devdb: required option '--type <type>' not specified\nRun 'devdb provision --help' for usage.\n",
    );
    const command = await runDevdb(['lst']);
    expect(command).toMatchObject({ code: 2, stdout: '' });
    expect(command.stderr).toBe(
      "devdb: unknown command 'lst' (did you mean list?)\nRun 'devdb --help' for usage.\n",
    );
    const port = await runDevdb(['up', '--port', '99999']);
    expect(port.code).toBe(2);
    expect(port.stderr.trimEnd().split('\n')).toEqual([
      "devdb: option '--port <n>' argument '99999' is invalid. must be a port number from 1 to 65535, or 0 for any free port",
      "Run 'devdb up --help' for usage.",
    ]);
    const argument = await runDevdb(['inspect']);
    expect(argument.code).toBe(2);
    expect(argument.stderr).toBe(
      "devdb: missing required argument 'name'\nRun 'devdb inspect --help' for usage.\n",
    );
  });

  it('prints help on stdout when asked, exit code 0', async () => {
    const help = await runDevdb(['provision', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: devdb provision [options]');
    expect(help.stdout).toContain('--type <type>');
    expect(help.stderr).toBe('');
    expect((await runDevdb(['help', 'list'])).stdout).toContain('Usage: devdb list [options]');
  });

  it('exits 1 with one line for an error the user can fix', async () => {
    const result = await runDevdb(['admin-url', '--data-dir', empty]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `devdb: no DevDB credentials in ${empty}: run \`devdb up\` first\n`,
    });
    const list = await runDevdb(['list', '--data-dir', empty]);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('no DevDB server to talk to');
  });

  it('builds without side effects: nothing is written until run', () => {
    const io = captureIO();
    const program = buildProgram(io);
    expect(program.command.commands.map((c) => c.name())).toEqual([
      'up',
      'serve',
      'stop',
      'status',
      'provision',
      'release',
      'list',
      'summary',
      'users',
      'inspect',
      'orphans',
      'size',
      'connections',
      'events',
      'create-team',
      'delete',
      'rotate',
      'policy',
      'protect',
      'unprotect',
      'cleanup',
      'servers',
      'move',
      'doctor',
      'migrate',
      'provider',
      'admin-url',
      'backup',
      'backups',
      'restore',
      'snapshots',
      'token',
      'slow-queries',
    ]);
    expect(io.stdoutText() + io.stderrText()).toBe('');
  });
});
