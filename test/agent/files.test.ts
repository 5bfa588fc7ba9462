// `start` writes ~/.pgpass, ~/.pg_service.conf, ~/.devdb/env and the profile
// blocks with the right modes, the same after every run, keeping what others
// wrote; `uninstall` removes exactly its own part; `env` prints no password.
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attach,
  fileMode,
  outputs,
  runAgent,
  tempHome,
  workspaceEnv,
  workspaceSuite,
} from './agent.js';

const WORKSPACE = 'ws-alice-files';
const ws = workspaceSuite('alice', WORKSPACE);
/** Every password this file's workspace had: none may ever be printed. */
const passwords: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  passwords.push(ws.creds.password);
});
afterAll(() => Promise.all(cleanups.map((c) => c())));

async function home(): Promise<string> {
  const h = await tempHome();
  cleanups.push(h.cleanup);
  return h.home;
}

const read = (file: string) => readFile(file, 'utf8');
const exists = (file: string) =>
  lstat(file).then(
    () => true,
    () => false,
  );

describe('start', () => {
  test('writes the files with their modes, and logs each state', async () => {
    const h = await home();
    await writeFile(path.join(h, '.bashrc'), '# my bashrc\nalias ll="ls -l"\n', { mode: 0o640 });
    const run = await runAgent(['start'], workspaceEnv(ws.creds, h));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`connected to ${ws.creds.name} as ${ws.creds.user}`);
    expect(run.stderr).toMatch(/access reported for dev_alice/);

    expect(await fileMode(path.join(h, '.pgpass'))).toBe(0o600);
    expect(await read(path.join(h, '.pgpass'))).toContain(
      `${ws.creds.host}:${ws.creds.port}:*:${ws.creds.user}:${ws.creds.password}\n`,
    );
    expect(await fileMode(path.join(h, '.devdb'))).toBe(0o700);
    expect(await fileMode(path.join(h, '.devdb', 'env'))).toBe(0o600);
    const env = await read(path.join(h, '.devdb', 'env'));
    for (const line of [
      `DEVDB_HOST='${ws.creds.host}'`,
      `DEVDB_PORT='${ws.creds.port}'`,
      `DEVDB_NAME='${ws.creds.name}'`,
      `DEVDB_USER='${ws.creds.user}'`,
      `DEVDB_URL='${ws.creds.url}'`,
      `PGHOST='${ws.creds.host}'`,
      `PGPORT='${ws.creds.port}'`,
      `PGDATABASE='${ws.creds.name}'`,
      `PGUSER='${ws.creds.user}'`,
      `DATABASE_URL='${ws.creds.url}'`,
    ]) {
      expect(env).toContain(`${line}\n`);
    }
    const service = await read(path.join(h, '.pg_service.conf'));
    expect(service).toContain(
      `[devdb]\nhost=${ws.creds.host}\nport=${ws.creds.port}\ndbname=${ws.creds.name}\nuser=${ws.creds.user}\n`,
    );
    expect(await fileMode(path.join(h, '.pg_service.conf'))).toBe(0o644);

    const bashrc = await read(path.join(h, '.bashrc'));
    expect(bashrc.startsWith('# my bashrc\nalias ll="ls -l"\n')).toBe(true);
    expect(bashrc).toContain('# >>> devdb-agent >>>');
    expect(await fileMode(path.join(h, '.bashrc'))).toBe(0o640); // kept, not reset
    // ~/.zshrc gets the block only when it exists; ~/.profile (login shells) always.
    expect(await exists(path.join(h, '.zshrc'))).toBe(false);
    expect(await read(path.join(h, '.profile'))).toContain('# >>> devdb-agent >>>');

    for (const file of ['.bashrc', '.pg_service.conf', '.devdb/env']) {
      expect(await read(path.join(h, file)), file).not.toContain(ws.creds.password);
    }
    // Nothing half-written left behind.
    for (const dir of [h, path.join(h, '.devdb')]) {
      expect((await readdir(dir)).filter((f) => f.includes('devdb-agent-'))).toEqual([]);
    }
  });

  test('three runs leave every file exactly as after the first', async () => {
    const h = await home();
    for (const f of ['.bashrc', '.zshrc', '.profile']) await writeFile(path.join(h, f), `# ${f}\n`);
    const files = ['.bashrc', '.zshrc', '.profile', '.pgpass', '.pg_service.conf', '.devdb/env'];
    const snapshots: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const run = await runAgent(['start'], workspaceEnv(ws.creds, h));
      expect(run.code, run.stderr).toBe(0);
      snapshots.push(await Promise.all(files.map((f) => read(path.join(h, f)))));
    }
    expect(snapshots[1]).toEqual(snapshots[0]);
    expect(snapshots[2]).toEqual(snapshots[0]);
    for (const [i, f] of ['.bashrc', '.zshrc', '.profile'].entries()) {
      expect(snapshots[0]![i]!.split('# >>> devdb-agent >>>').length - 1, f).toBe(1);
    }
  });

  test("replaces only its own pgpass line and keeps others' entries and services", async () => {
    const h = await home();
    const other = 'db.example.com:5432:app:bob:s3cret';
    await writeFile(path.join(h, '.pgpass'), `${other}\n`, { mode: 0o600 });
    await writeFile(path.join(h, '.pg_service.conf'), '[prod]\nhost=prod.example.com\n');
    await runAgent(['start'], workspaceEnv(ws.creds, h));
    // Re-attached: new password; the agent's line is replaced, bob's stays.
    const first = ws.creds;
    const again = await attach(ws.devdb, 'alice', WORKSPACE);
    passwords.push(again.password);
    ws.creds = again;
    const run = await runAgent(['start'], workspaceEnv(again, h));
    expect(run.code, run.stderr).toBe(0);
    const pgpass = await read(path.join(h, '.pgpass'));
    expect(pgpass).toContain(`${other}\n`);
    expect(pgpass).toContain(`:${again.password}\n`);
    expect(pgpass).not.toContain(first.password);
    expect(pgpass.split('\n').filter((l) => l.includes(again.user))).toHaveLength(1);
    const service = await read(path.join(h, '.pg_service.conf'));
    expect(service).toContain('[prod]\nhost=prod.example.com\n');
    expect(service.split('\n').filter((l) => l === '[devdb]')).toHaveLength(1);
  });

  test('writes through a symlinked profile, and creates ~/.bashrc and ~/.profile when missing', async () => {
    const h = await home();
    await mkdir(path.join(h, 'dotfiles'));
    await writeFile(path.join(h, 'dotfiles', 'zshrc'), '# zshrc in a dotfiles repo\n');
    await symlink(path.join(h, 'dotfiles', 'zshrc'), path.join(h, '.zshrc'));
    expect((await runAgent(['start'], workspaceEnv(ws.creds, h))).code).toBe(0);
    expect(await readlink(path.join(h, '.zshrc'))).toBe(path.join(h, 'dotfiles', 'zshrc'));
    expect(await read(path.join(h, 'dotfiles', 'zshrc'))).toContain('# >>> devdb-agent >>>');

    const bare = await home();
    expect((await runAgent(['start'], workspaceEnv(ws.creds, bare))).code).toBe(0);
    expect(await read(path.join(bare, '.profile'))).toContain('# >>> devdb-agent >>>');
    expect(await read(path.join(bare, '.bashrc'))).toContain('# >>> devdb-agent >>>');
    expect(await exists(path.join(bare, '.zshrc'))).toBe(false);
  });
});

describe('uninstall', () => {
  test('removes its pgpass line, [devdb], ~/.devdb/env and the blocks, and nothing else', async () => {
    const h = await home();
    const before = {
      '.bashrc': '# my bashrc\nexport EDITOR=vim\n',
      '.profile': '# my profile\n',
      '.pgpass': 'db.example.com:5432:app:bob:s3cret\n',
      '.pg_service.conf': '[prod]\nhost=prod.example.com\n',
    };
    for (const [f, text] of Object.entries(before)) {
      await writeFile(path.join(h, f), text, { mode: 0o600 });
    }
    expect((await runAgent(['start'], workspaceEnv(ws.creds, h))).code).toBe(0);
    const run = await runAgent(['uninstall'], { HOME: h });
    expect(run.code, run.stderr).toBe(0);
    for (const [f, text] of Object.entries(before)) {
      expect(await read(path.join(h, f)), f).toBe(text);
    }
    expect(await exists(path.join(h, '.devdb'))).toBe(false);
    expect(await exists(path.join(h, '.zshrc'))).toBe(false);
    const twice = await runAgent(['uninstall'], { HOME: h });
    expect(twice.stderr).toContain('nothing to remove');
  });

  test('deletes the files it created when nothing else is in them', async () => {
    const h = await home();
    expect((await runAgent(['start'], workspaceEnv(ws.creds, h))).code).toBe(0);
    expect((await runAgent(['uninstall'], { HOME: h })).code).toBe(0);
    for (const f of ['.pgpass', '.pg_service.conf', '.devdb', '.profile', '.bashrc']) {
      expect(await exists(path.join(h, f)), f).toBe(false);
    }
  });
});

describe('env', () => {
  test('prints export lines and JSON, from the environment or from ~/.devdb/env, never the password', async () => {
    const h = await home();
    const lines = await runAgent(['env'], workspaceEnv(ws.creds, h));
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toContain(`export PGUSER='${ws.creds.user}'\n`);
    expect(lines.stdout).toContain(`export DATABASE_URL='${ws.creds.url}'\n`);
    expect(lines.stdout).not.toMatch(/PASSWORD/);

    await runAgent(['start'], workspaceEnv(ws.creds, h));
    const json = await runAgent(['env', '--json'], { HOME: h }); // no DEVDB_* set: from ~/.devdb/env
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      DEVDB_NAME: ws.creds.name,
      PGHOST: ws.creds.host,
      PGPORT: String(ws.creds.port),
      DATABASE_URL: ws.creds.url,
    });
  });
});

test('the password appears in no output of any command in this file', () => {
  expect(outputs.length).toBeGreaterThan(10);
  for (const out of outputs) for (const pw of passwords) expect(out).not.toContain(pw);
});
