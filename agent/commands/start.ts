/**
 * `devdb-agent start`: wait for DevDB, check the workspace's credentials (or
 * enroll a password with DEVDB_ENROLL_TOKEN: ../enroll.ts) and database, report
 * access once, then write the files that make `psql` work with no arguments.
 * With --watch it stays up and reports every interval.
 */
import type { Flags } from '../args.js';
import { readConfig } from '../config.js';
import { databaseState, requireUsable } from '../connection/database-state.js';
import { connectWithCredentials } from '../connection/enroll.js';
import { EXIT } from '../errors.js';
import { writeFiles } from '../files/install.js';
import { log } from '../log.js';
import { describeReport, reportAccess } from '../connection/report.js';
import { seconds } from '../seconds.js';
import { watch } from '../connection/watch.js';

export async function start(flags: Flags): Promise<number> {
  const config = readConfig(process.env);
  const timeoutS = seconds(flags, 'timeout', 'DEVDB_AGENT_TIMEOUT', 60);
  const intervalS = seconds(flags, 'interval', 'DEVDB_AGENT_INTERVAL', 300);
  const { client, password } = await connectWithCredentials(config, timeoutS);
  try {
    log(`connected to ${config.name} as ${config.user}`);
    requireUsable(await databaseState(client, config.name), config);
    const report = await reportAccess(client, config);
    const written = await writeFiles(config, password);
    log(`wrote ${written.join(', ')}`);
    log(describeReport(report));
  } finally {
    await client.end().catch(() => undefined);
  }
  if (flags.watch) await watch(config, password, intervalS);
  return EXIT.ok;
}
