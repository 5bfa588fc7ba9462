/**
 * What `devdb cleanup`, `devdb delete`, the API's cleanup and `devdb serve`'s
 * policy job plug in, in one place:
 * - how a database is dropped (`DropDatabase`): given the backup context, so
 *   a drop that takes a final verified backup first is one line here;
 * - which attachments belong to workspaces Coder confirmed deleted (detached
 *   by cleanup): Coder asked as `devdb orphans` asks it, with the same
 *   classification (`workspace-deleted`: 404, then 200 with include_deleted).
 *   Anything short of that confirmation detaches nothing, and says why.
 */
import {
  databaseState,
  dropWithFinalBackup,
  readBackupSettings,
  type BackupContext,
  type DeletedWorkspaceAttachment,
  type DropDatabase,
  type Queryable,
} from '../provisioning/index.js';
import { backupDirFrom, readIdentities, recipientsFrom } from './backup-config.js';
import type { CoderClient } from './coder/client.js';
import { coderClientFor, resolveCoderAccess, type CoderOptions } from './coder/config.js';
import { UserError } from './errors.js';
import type { CliIO } from './io.js';
import { findOrphans } from './coder/orphans.js';

/** Coder as a command or process found it: a client, or why there is none. */
export type CoderSource = { client: CoderClient } | { client: null; reason: string };

/** What Coder confirmed deleted, for one registry. */
export interface CoderDeletions {
  /** Live attachments whose workspace Coder confirmed deleted. */
  attachments: DeletedWorkspaceAttachment[];
  /** One line for the output: what Coder confirmed, or why nothing is detached. */
  note: string;
}

export interface PolicyWiring {
  dropDatabase(ctx: BackupContext): DropDatabase;
  deletedWorkspaces(db: Queryable, coder: CoderSource): Promise<CoderDeletions>;
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

/**
 * Coder for cleanup and the policy job: from the flags, the environment
 * (CODER_URL, CODER_SESSION_TOKEN) and the setting coder_url, as `devdb orphans`
 * finds it; a half-given configuration is a reason, not an error (cleanup's
 * other work goes on). Close the client afterwards (closeCoder).
 */
export async function coderSource(
  options: CoderOptions,
  io: Pick<CliIO, 'env'>,
  db: Queryable,
): Promise<CoderSource> {
  try {
    const access = await resolveCoderAccess(options, io, db);
    if (!access.configured) return { client: null, reason: access.reason };
    return { client: coderClientFor(access)! };
  } catch (error) {
    if (error instanceof UserError) return { client: null, reason: error.message };
    throw error;
  }
}

export const closeCoder = (coder: CoderSource) => coder.client?.close();

/**
 * The live attachments whose workspace Coder confirms deleted: the
 * `workspace-deleted` findings of `devdb orphans` (server/orphans/). Coder not
 * configured, failing (5xx after its retries), not answering in time (the
 * client's timeout, coder_timeout_seconds), or not knowing a workspace at all:
 * none, and the note says why.
 */
export async function coderDeletedWorkspaces(
  db: Queryable,
  coder: CoderSource,
): Promise<CoderDeletions> {
  if (!coder.client) return { attachments: [], note: `no workspace detached: ${coder.reason}` };
  let findings;
  try {
    ({ findings } = await findOrphans(db, { coder: coder.client }));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return {
      attachments: [],
      note: `no workspace detached: Coder confirmed no deletion (${error.message})`,
    };
  }
  const attachments = findings
    .filter((f) => f.kind === 'workspace-deleted' && f.database && f.workspaceId)
    .map((f) => ({ database: f.database!, workspaceId: f.workspaceId! }));
  const unknown = findings.filter((f) => f.kind === 'unknown-workspace').length;
  const notes = [`Coder confirmed ${attachments.length} attached workspace(s) deleted`];
  if (unknown) {
    notes.push(
      `${unknown} attachment(s) point at workspaces Coder does not know (404, also with include_deleted): not detached, see \`devdb orphans\``,
    );
  }
  return { attachments, note: notes.join('; ') };
}

export const POLICY_WIRING: PolicyWiring = {
  dropDatabase: finalBackupDropDatabase,
  deletedWorkspaces: coderDeletedWorkspaces,
};
