/**
 * What `devdb stop` and `devdb status` both need: the data dir flag (also
 * `devdb admin-url`'s) and the postmaster a killed `devdb up` may have left.
 */
import { procState, readPidFile } from '../../embedded/index.js';
import { DEFAULT_DATA_DIR, pgDataDir } from '../../data-dir.js';
import type { OptionSpec } from '../../command.js';

export const DATA_DIR_OPTION: OptionSpec = {
  flags: '--data-dir <dir>',
  description: 'data dir of `devdb up`',
  default: DEFAULT_DATA_DIR,
};

/** A postmaster left running without its `devdb up` (the up process was killed). */
export async function orphanPostmaster(dataDir: string): Promise<number | undefined> {
  const pidFile = await readPidFile(pgDataDir(dataDir));
  return pidFile && (await procState(pidFile.pid)) === 'postgres' ? pidFile.pid : undefined;
}
