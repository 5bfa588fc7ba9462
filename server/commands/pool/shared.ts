/**
 * What `devdb servers` and `devdb move` share (docs/servers.md): their flags, the
 * pool they run on, and moving a database, which `servers drain` does for each
 * database of the server it drains.
 */
import {
  moveDatabase,
  readBackupSettings,
  type MoveResult,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import { backupDirFrom, readIdentities, recipientsFrom } from '../../backup-config.js';
import { JSON_OPTION, type OptionSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';

export type Connection = Omit<ConnectionOptions, 'env'> & { json?: boolean };

export const OPTIONS: OptionSpec[] = [...CONNECTION_OPTIONS, JSON_OPTION];

export const onPool = <T>(
  options: Connection,
  io: CliIO,
  fn: (router: ServerRouter) => Promise<T>,
) => withRouter({ ...options, env: io.env }, fn);

/** Where a move's final backup goes and how it is read back (docs/backups.md, "Settings"). */
async function moveSettings(router: ServerRouter, io: CliIO, identity?: string) {
  const settings = await readBackupSettings(router.central.db);
  const backupDir = backupDirFrom(settings, io.env);
  if (!backupDir) {
    throw new UserError(
      'a move takes a final backup first, and no backup directory is set: set one with `devdb backup settings --dir DIR` or DEVDB_BACKUP_DIR',
    );
  }
  return {
    backupDir,
    recipients: recipientsFrom(settings, io.env),
    identities: await readIdentities(identity, io.env, settings),
    env: io.env,
  };
}

/** Moves, one line of progress per step on stderr (stdout keeps the result, or JSON). */
export async function move(
  router: ServerRouter,
  io: CliIO,
  input: { database: string; to: string; identity?: string },
): Promise<MoveResult> {
  return moveDatabase(router, {
    ...input,
    ...(await moveSettings(router, io, input.identity)),
    actor: 'cli',
    onStep: (_step, detail) => io.stderr.write(`${detail}\n`),
  });
}

export const IDENTITY_OPTION: OptionSpec = {
  flags: '--identity <file>',
  description: 'age identity file, when backups are encrypted (default: $DEVDB_BACKUP_IDENTITY)',
};
