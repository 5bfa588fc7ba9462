/**
 * Where backups go and how they are read, for `devdb backup` and serve's
 * backups job alike: a flag, then the environment, then provisioning.settings
 * (docs/backups.md, "Settings").
 */
import { loadIdentityFile, splitRecipients, type BackupSettings } from '../provisioning/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** An empty variable counts as unset: `DEVDB_BACKUP_RECIPIENTS=` must not turn encryption off. */
const fromEnv = (env: Env, name: string): string | undefined => env[name] || undefined;

/** BACKUP_DIR: --dir, else DEVDB_BACKUP_DIR, else the backup_dir setting; null when none. */
export function backupDirFrom(settings: BackupSettings, env: Env, flag?: string): string | null {
  return flag ?? fromEnv(env, 'DEVDB_BACKUP_DIR') ?? settings.dir;
}

/** age recipients: --recipient, else DEVDB_BACKUP_RECIPIENTS, else the backup_recipients setting. */
export function recipientsFrom(settings: BackupSettings, env: Env, flag?: string): string[] {
  return splitRecipients(
    flag ?? fromEnv(env, 'DEVDB_BACKUP_RECIPIENTS') ?? settings.recipients.join(','),
  );
}

/**
 * The age identities of --identity, else of the file DEVDB_BACKUP_IDENTITY names, else of the
 * backup_identity_file setting; none without any. A file named but unreadable, or holding
 * no identity, is an error naming it.
 */
export async function readIdentities(
  file: string | undefined,
  env: Env,
  settings?: BackupSettings,
): Promise<string[]> {
  const path = file ?? fromEnv(env, 'DEVDB_BACKUP_IDENTITY') ?? settings?.identityFile;
  return path ? loadIdentityFile(path) : [];
}
