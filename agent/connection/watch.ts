/**
 * `start --watch`: stays up and reports every interval. A failed report is
 * logged and retried at the next interval; the workspace going away (SIGTERM)
 * ends it cleanly.
 */
import type { Config } from '../config.js';
import { AgentError } from '../errors.js';
import { heartbeatOnce } from './heartbeat.js';
import { log } from '../log.js';
import { describeReport } from './report.js';

const REPORT_TIMEOUT_MS = 10_000;

export async function watch(config: Config, password: string, intervalS: number): Promise<void> {
  log(`reporting access every ${intervalS}s`);
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = () => {
    stopping = true;
    clearTimeout(timer);
    stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const tick = async () => {
    try {
      log(describeReport(await heartbeatOnce(config, password, REPORT_TIMEOUT_MS)));
    } catch (error) {
      const fix = error instanceof AgentError ? ` — ${error.fix}` : '';
      log(`${(error as Error).message}${fix}`);
    }
    if (!stopping) timer = setTimeout(() => void tick(), intervalS * 1000);
  };
  timer = setTimeout(() => void tick(), intervalS * 1000);
  await stopped;
}
