/** `devdb-agent heartbeat`: one access report, for a coder_script on a cron schedule. */
import type { Flags } from '../args.js';
import { EXIT } from '../errors.js';
import { heartbeatOnce } from '../connection/heartbeat.js';
import { log } from '../log.js';
import { describeReport } from '../connection/report.js';
import { seconds } from '../seconds.js';
import { loadSettings, passwordFor } from '../files/settings.js';

export async function heartbeat(flags: Flags): Promise<number> {
  const config = await loadSettings();
  const password = await passwordFor(config);
  const timeoutS = seconds(flags, 'timeout', 'DEVDB_AGENT_TIMEOUT', 10);
  log(describeReport(await heartbeatOnce(config, password, timeoutS * 1000)));
  return EXIT.ok;
}
