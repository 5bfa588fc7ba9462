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
  ProvisioningError,
  restoreDatabase,
  retireDatabase,
  type BackupContext,
  type DeletedWorkspaceAttachment,
  type DropDatabase,
} from '../provisioning/index.js';
import type { CliIO } from './io.js';

export interface PolicyWiring {
  dropDatabase(ctx: BackupContext): DropDatabase;
  deletedWorkspaces(pool: pg.Pool, io: CliIO): Promise<DeletedWorkspaceAttachment[]>;
}

/**
 * DevDB's SQL drop path: an archived database is brought back under its name
 * (still without attachments), then retired with 'drop'. Each step converges
 * when repeated; a run cut between them leaves the database restored, whole.
 */
export function sqlDropDatabase(ctx: BackupContext): DropDatabase {
  return async (database, { actor }) => {
    const { status, liveAttachments } = await databaseState(ctx.db, database);
    if (status === 'dropped') return;
    if (liveAttachments > 0) {
      throw new ProvisioningError(
        `database ${database} still has ${liveAttachments} attached workspace(s)`,
        '55006',
        'detach them first (delete those workspaces), or keep the database',
      );
    }
    if (status === 'archived') await restoreDatabase(ctx.db, database, { actor });
    await retireDatabase(ctx.db, { database, policy: 'drop', actor });
  };
}

export const POLICY_WIRING: PolicyWiring = {
  dropDatabase: sqlDropDatabase,
  deletedWorkspaces: async () => [],
};
