/**
 * Whether backups can run on this machine, one rule for every place that asks
 * (`devdb up`'s banner, `devdb doctor`, /readyz, GET /api/v1/backups/status):
 * one pg_dump backs up every server of the pool, so it must fit the newest
 * major among them, the central server's live version included
 * (docs/backups.md, "Which pg_dump"; docs/servers.md).
 */
import {
  backupToolsStatus,
  serverVersion,
  type BackupContext,
  type BackupToolsStatus,
} from '../backups/index.js';
import { listServers } from './servers.js';

export async function checkBackupTools(
  ctx: Omit<BackupContext, 'adminUrl'>,
): Promise<BackupToolsStatus> {
  const [{ major }, servers] = await Promise.all([serverVersion(ctx.db), listServers(ctx.db)]);
  const newest = Math.max(major, ...servers.map((server) => server.majorVersion));
  return backupToolsStatus(newest, { env: ctx.env, versionedRoot: ctx.pgVersionedRoot });
}
