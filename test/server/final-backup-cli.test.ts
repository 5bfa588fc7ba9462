/**
 * The CLI side of "a verified backup before anything destructive"
 * (docs/backups.md): `devdb backup settings --identity-file`, `devdb backup
 * drain-drops`, and `devdb restore --in-place` checking its pre-restore backup,
 * or going without one with `--no-backup`, recorded.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureIndividualDatabase,
  generateAgeKeyPair,
  retireDatabase,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

describe('devdb backup drain-drops, settings --identity-file, restore --in-place checks', () => {
  let devdb: TestDevDb;
  let dir: string;
  const devdbCli = (args: string[], env: Record<string, string> = {}) =>
    runDevdb([...args, '--admin-url', devdb.provisionerUrl], { env });
  const rowsOf = async (database: string) => {
    const { rows } = await devdb.pool.query<{ status: string; pending: boolean }>(
      `SELECT status, drop_requested_at IS NOT NULL AS pending
         FROM provisioning.databases WHERE db_name = $1`,
      [database],
    );
    return rows[0];
  };

  beforeAll(async () => {
    devdb = await startTestDevDb();
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-final-backup-cli-'));
  });
  afterAll(async () => {
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('settings take the identity file; drain-drops finishes a pending drop with a verified backup', async () => {
    const keys = await generateAgeKeyPair();
    const identityFile = path.join(dir, 'identity.txt');
    await writeFile(identityFile, `${keys.identity}\n`, { mode: 0o600 });
    const settings = await devdbCli([
      'backup',
      'settings',
      '--dir',
      path.join(dir, 'store'),
      '--recipient',
      keys.recipient,
      '--identity-file',
      identityFile,
      '--json',
    ]);
    expect(JSON.parse(settings.stdout)).toMatchObject({ identityFile });

    const none = await devdbCli(['backup', 'drain-drops']);
    expect(none).toMatchObject({ code: 0, stderr: '' });
    expect(none.stdout).toMatch(/no pending drops/);

    await ensureIndividualDatabase(devdb.pool, { owner: 'nia' });
    expect(await retireDatabase(devdb.pool, { database: 'dev_nia', policy: 'drop' })).toBe(
      'drop_pending',
    );
    expect(await rowsOf('dev_nia')).toEqual({ status: 'archived', pending: true });
    const drained = await devdbCli(['backup', 'drain-drops', '--json']);
    expect(drained).toMatchObject({ code: 0, stderr: '' });
    const outcome = JSON.parse(drained.stdout) as { dropped: { backupId: number }[] };
    expect(outcome).toMatchObject({ dropped: [{ database: 'dev_nia' }], failed: [] });
    expect(await rowsOf('dev_nia')).toEqual({ status: 'dropped', pending: false });

    const verified = await devdbCli(['backup', 'verify', String(outcome.dropped[0]!.backupId)]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
  });

  it('restore --in-place checks the pre-restore backup first; --no-backup skips it, recorded', async () => {
    await ensureIndividualDatabase(devdb.pool, { owner: 'oli' });
    const taken = await devdbCli(['backup', 'dev_oli', '--recipient', '', '--json']);
    expect(taken.code).toBe(0);
    const [{ id }] = JSON.parse(taken.stdout) as [{ id: number }];
    // The backup is plain; the pre-restore backup would be encrypted, and no identity is at hand.
    await devdbCli(['backup', 'settings', '--identity-file', '']);
    const restore = ['restore', 'dev_oli', '--from', String(id), '--in-place', '--yes'];

    const refused = await devdbCli(restore);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the pre-restore backup \d+ of dev_oli could not be checked, so nothing was changed: this backup is encrypted.*--no-backup/,
    );

    const stray = await devdbCli(['restore', 'dev_oli', '--from', String(id), '--no-backup']);
    expect(stray.stderr).toMatch(/--no-backup only applies to --in-place/);

    const reason = 'the pre-restore copy would hold the broken data';
    const restored = await devdbCli([...restore, '--no-backup', '--reason', reason, '--json']);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(restored.stdout)).toMatchObject({
      database: 'dev_oli',
      preRestoreBackupId: null,
    });
    const { rows } = await devdb.pool.query(
      `SELECT actor, detail FROM provisioning.events
        WHERE db_name = 'dev_oli' AND action = 'database.restore_without_backup'`,
    );
    expect(rows).toEqual([{ actor: 'cli', detail: { backup_id: id, reason } }]);
  });
});
