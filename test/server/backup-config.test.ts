/**
 * Where backups go and whom they are encrypted to: a flag, then the
 * environment, then the settings — and an empty variable (as compose files
 * write them) is no override, so it can never turn encryption off.
 */
import { describe, expect, it } from 'vitest';
import { type BackupSettings } from '../../provisioning/index.js';
import { DEFAULT_RETENTION } from '../../provisioning/backups/index.js';
import { backupDirFrom, readIdentities, recipientsFrom } from '../../server/backup-config.js';

const RECIPIENT = `age1${'q'.repeat(58)}`;
const settings: BackupSettings = {
  dir: '/var/backups/devdb',
  recipients: [RECIPIENT],
  identityFile: null,
  retention: DEFAULT_RETENTION,
};

describe('backup configuration', () => {
  it('takes the flag, then the environment, then the settings', () => {
    expect(backupDirFrom(settings, { DEVDB_BACKUP_DIR: '/env' }, '/flag')).toBe('/flag');
    expect(backupDirFrom(settings, { DEVDB_BACKUP_DIR: '/env' })).toBe('/env');
    expect(backupDirFrom(settings, {})).toBe('/var/backups/devdb');
    expect(recipientsFrom(settings, {})).toEqual([RECIPIENT]);
  });

  it('treats an empty variable as unset: the settings still apply', async () => {
    const empty = { DEVDB_BACKUP_DIR: '', DEVDB_BACKUP_RECIPIENTS: '', DEVDB_BACKUP_IDENTITY: '' };
    expect(backupDirFrom(settings, empty)).toBe('/var/backups/devdb');
    expect(recipientsFrom(settings, empty)).toEqual([RECIPIENT]);
    expect(await readIdentities(undefined, empty, settings)).toEqual([]);
  });
});
