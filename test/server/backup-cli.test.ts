import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndividualDatabase, listBackups } from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

describe('devdb backup / backups / restore', () => {
  let devdb: TestDevDb;
  let dir: string;
  const devdbCli = (args: string[], env: Record<string, string> = {}) =>
    runDevdb([...args, '--admin-url', devdb.provisionerUrl], { env: { ...env } });

  beforeAll(async () => {
    devdb = await startTestDevDb();
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-backup-cli-'));
    await ensureIndividualDatabase(devdb.pool, { owner: 'carol' });
    await ensureIndividualDatabase(devdb.pool, { owner: 'dave' });
  });
  afterAll(async () => {
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keygen, settings, backup --all, list, verify, prune --dry-run, restore --as', async () => {
    const identityFile = path.join(dir, 'identity.txt');
    const keygen = await runDevdb(['backup', 'keygen', '--out', identityFile, '--json']);
    expect(keygen.code).toBe(0);
    const { recipient } = JSON.parse(keygen.stdout) as { recipient: string };
    expect(recipient).toMatch(/^age1/);
    expect((await stat(identityFile)).mode & 0o777).toBe(0o600);

    const missingDir = await devdbCli(['backup', 'dev_carol']);
    expect(missingDir).toMatchObject({ code: 1 });
    expect(missingDir.stderr).toMatch(/no backup directory/);

    const storage = path.join(dir, 'store');
    const settings = await devdbCli([
      'backup',
      'settings',
      '--dir',
      storage,
      '--recipient',
      recipient,
    ]);
    expect(settings.stdout).toContain(recipient);

    const backup = await devdbCli(['backup', '--all', '--json']);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const taken = JSON.parse(backup.stdout) as { id: number; database: string; file: string }[];
    expect(taken.map((b) => b.database)).toEqual(['dev_carol', 'dev_dave']);
    expect(taken[0]!.file.startsWith(path.join(storage, 'dev_carol', 'dev_carol-'))).toBe(true);

    const list = await devdbCli(['backups', 'dev_carol']);
    const cells = list.stdout
      .split('\n')[3]!
      .split('│')
      .map((cell) => cell.trim());
    expect(cells.slice(2, 9)).toEqual(['dev_carol', 'manual', 'ok', '0h', cells[6], 'yes', 'no']);
    expect(cells[6]).toMatch(/^[\d.]+ (B|KiB)$/);

    const verify = await devdbCli(['backup', 'verify', '--latest', 'dev_carol'], {
      DEVDB_BACKUP_IDENTITY: identityFile,
    });
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    // Without an identity the verification is refused, not recorded as a bad backup.
    const noIdentity = await devdbCli(['backup', 'verify', String(taken[1]!.id)]);
    expect(noIdentity.code).toBe(1);
    expect(noIdentity.stderr).toBe(
      `devdb: backup ${taken[1]!.id} is encrypted; pass --identity FILE or set backup_identity_file\n`,
    );

    const prune = await devdbCli(['backup', 'prune', '--dry-run', '--json']);
    expect(JSON.parse(prune.stdout)).toMatchObject({ dryRun: true, kept: 2, pruned: [] });
    // The heading first, then what it heads, then what stays.
    const pruneText = await devdbCli(['backup', 'prune', '--dry-run']);
    expect(pruneText.stdout).toBe('\nWould delete\nnothing\nkept  2\n');
    // Two more of dev_carol today, one kept a day: the middle one goes (the first is verified).
    for (let n = 0; n < 2; n++) expect((await devdbCli(['backup', 'dev_carol'])).code).toBe(0);
    await devdbCli(['backup', 'settings', '--keep-daily', '1']);
    const lines = (await devdbCli(['backup', 'prune', '--dry-run'])).stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '',
      'Would delete',
      expect.stringMatching(/^┌/),
      expect.stringMatching(/│ id +│ database +│/),
    ]);
    expect(lines.filter((line) => line.includes('│ dev_carol '))).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(['kept  3', '']);
    await devdbCli(['backup', 'settings', '--keep-daily', '7']);

    // A copy goes to a new team database; another person's dev_<user> is refused before
    // anything is read or made (it would hand carol's data to erin, or to user carol-copy).
    for (const name of ['dev_erin', 'dev_carol_copy', 'carol_copy', 'team_Erin']) {
      const refused = await devdbCli(
        ['restore', 'dev_carol', '--from', String(taken[0]!.id), '--as', name],
        { DEVDB_BACKUP_IDENTITY: identityFile },
      );
      expect(refused.code, name).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^devdb: cannot restore backup \\d+ as "${name}": it .*; restore a copy as a new team database \\(--as team_<name>, e\\.g\\. team_restored\\), or dev_carol under its own name\n$`,
        ),
      );
      if (name.startsWith('dev_'))
        expect(refused.stderr).toMatch(/would give its data to that user/);
    }
    const made = await devdb.pool.query(
      `SELECT datname FROM pg_database WHERE datname IN ('dev_erin', 'dev_carol_copy', 'carol_copy', 'team_erin')`,
    );
    expect(made.rows).toEqual([]);
    const restore = await devdbCli(
      ['restore', 'dev_carol', '--from', String(taken[0]!.id), '--as', 'team_carol_copy', '--json'],
      { DEVDB_BACKUP_IDENTITY: identityFile },
    );
    expect(restore.stderr).toBe('');
    expect(JSON.parse(restore.stdout)).toMatchObject({ database: 'team_carol_copy' });
    const taken2 = await devdbCli(['restore', 'dev_carol', '--from', String(taken[0]!.id)]);
    expect(taken2.stderr).toMatch(/database dev_carol exists/);

    const unconfirmed = await devdbCli([
      'restore',
      'dev_carol',
      '--from',
      String(taken[0]!.id),
      '--in-place',
    ]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(
      /replaces everything in dev_carol .*pre-restore backup.*--yes/,
    );
    const inPlace = await devdbCli(
      ['restore', 'dev_carol', '--from', String(taken[0]!.id), '--in-place', '--yes', '--json'],
      { DEVDB_BACKUP_IDENTITY: identityFile },
    );
    expect(inPlace.code).toBe(0);
    expect(JSON.parse(inPlace.stdout)).toMatchObject({ database: 'dev_carol', tables: 0 });
  });

  it('verify without a usable identity refuses and leaves the verification state as it was', async () => {
    const identityFile = path.join(dir, 'identity-2.txt');
    const keygen = await runDevdb(['backup', 'keygen', '--out', identityFile, '--json']);
    const { recipient } = JSON.parse(keygen.stdout) as { recipient: string };
    const backup = await devdbCli(['backup', 'dev_dave', '--recipient', recipient, '--json']);
    const [{ id }] = JSON.parse(backup.stdout) as [{ id: number }];
    const state = async () => {
      const [row] = (await listBackups(devdb.pool, 'dev_dave')).filter((b) => b.id === id);
      return { verifiedAt: row!.verifiedAt, verifyError: row!.verifyError };
    };
    const verified = await devdbCli(['backup', 'verify', String(id), '--identity', identityFile]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    const before = await state();
    expect(before.verifiedAt).toBeInstanceOf(Date);

    // No identity anywhere: refused, exit 1, nothing recorded (--all too, before any is verified).
    for (const args of [[String(id)], ['--latest', 'dev_dave'], ['--all']]) {
      const refused = await devdbCli(['backup', 'verify', ...args]);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toMatch(
        /^devdb: backup \d+ is encrypted; pass --identity FILE or set backup_identity_file\n$/,
      );
      expect(refused.stdout).toBe('');
    }
    expect(await state()).toEqual(before);

    // A file without an identity in it is named as such.
    const notAKey = path.join(dir, 'not-a-key.txt');
    await writeFile(notAKey, `# public key: ${recipient}\n${recipient}\n`);
    const bad = await devdbCli(['backup', 'verify', String(id), '--identity', notAKey]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`devdb: ${notAKey} holds no age identity (no AGE-SECRET-KEY- line)\n`);

    // Someone else's identity: the key is wrong, not the backup.
    const stranger = path.join(dir, 'stranger.txt');
    await runDevdb(['backup', 'keygen', '--out', stranger]);
    const wrong = await devdbCli(['backup', 'verify', String(id), '--identity', stranger]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /cannot decrypt the backup with the given identity: no identity matched/,
    );
    expect(await state()).toEqual(before);
  });
});
