/**
 * What `devdb cleanup` and `devdb delete` plug in, in one place:
 * - how a database is dropped (`DropDatabase`): given the backup context, so
 *   a drop that takes a final verified backup first is one line here;
 * - which attachments belong to workspaces Coder confirmed deleted (detached
 *   by cleanup): none unless a Coder classification is plugged in.
 */
import type pg from 'pg';
import {
  databaseState,
  dropWithFinalBackup,
  readBackupSettings,
  type BackupContext,
  type DeletedWorkspaceAttachment,
  type DropDatabase,
} from '../provisioning/index.js';
import { backupDirFrom, readIdentities, recipientsFrom } from './backup-config.js';
import type { CliIO } from './io.js';

export interface PolicyWiring {
  dropDatabase(ctx: BackupContext): DropDatabase;
  deletedWorkspaces(pool: pg.Pool, io: CliIO): Promise<DeletedWorkspaceAttachment[]>;
}

/**
 * Every drop goes through a final backup verified by a trial restore
 * (provisioning/backups/final-backup.ts; docs/backups.md, "Before anything
 * destructive"): if it fails, nothing is dropped and the error says why.
 * Where backups go and how they are opened: flag-less, as `devdb backup` —
 * the environment, then the settings. A database dropped already is done.
 */
export function finalBackupDropDatabase(ctx: BackupContext): DropDatabase {
  return async (database, { actor, noBackup }) => {
    const { status } = await databaseState(ctx.db, database);
    if (status === 'dropped') return { alreadyDropped: true };
    const settings = await readBackupSettings(ctx.db);
    const dir = backupDirFrom(settings, ctx.env ?? process.env);
    return dropWithFinalBackup(ctx, database, {
      actor,
      noBackup,
      ...(dir ? { dir } : {}),
      recipients: recipientsFrom(settings, ctx.env ?? process.env),
      identities: await readIdentities(undefined, ctx.env ?? process.env, settings),
    });
  };
}

export const POLICY_WIRING: PolicyWiring = {
  dropDatabase: finalBackupDropDatabase,
  deletedWorkspaces: async () => [],
};
