/**
 * `devdb stop`: the `devdb up` of a data dir, found through its pid file
 * (server/up-process.ts), stopped from another shell, and the postmaster it
 * may have left behind.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { text, type Output } from '../../render.js';
import { processAlive, runningUp, waitUntilGone } from '../../up-process.js';
import { DATA_DIR_OPTION, orphanPostmaster } from './shared.js';

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a number of seconds');
  return n;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    throw new UserError(`cannot signal process ${pid}: ${(error as Error).message}`);
  }
}

/** Signals `pid` and waits, bounded, for it to be gone. */
async function stopProcess(pid: number, name: NodeJS.Signals, timeoutS: number, what: string) {
  signal(pid, name);
  if (!(await waitUntilGone(() => processAlive(pid), timeoutS * 1000))) {
    throw new UserError(
      `${what} (pid ${pid}) did not stop within ${timeoutS} s; see \`devdb status\`, or wait and try again`,
    );
  }
}

interface StopOptions {
  dataDir: string;
  timeout: number;
}

export const stopCommand: CommandSpec<StopOptions> = {
  name: 'stop',
  description: 'stop the `devdb up` running on a data dir (clean shutdown, bounded wait)',
  options: [
    DATA_DIR_OPTION,
    {
      flags: '--timeout <seconds>',
      description: 'how long to wait',
      default: '60',
      parse: seconds,
    },
    JSON_OPTION,
  ],
  async run(options): Promise<Output> {
    const dataDir = path.resolve(options.dataDir);
    const timeout = Number(options.timeout);
    const up = await runningUp(dataDir);
    const lines: string[] = [];
    if (up) {
      await stopProcess(up.pid, 'SIGTERM', timeout, 'devdb up');
      lines.push(`DevDB stopped (devdb up, pid ${up.pid}; data in ${dataDir})`);
    }
    const postmaster = await orphanPostmaster(dataDir);
    if (postmaster) {
      // SIGINT: PostgreSQL's fast shutdown (sessions ended, checkpoint, exit).
      await stopProcess(postmaster, 'SIGINT', timeout, 'PostgreSQL');
      lines.push(`PostgreSQL stopped (pid ${postmaster}), which ran without its devdb up`);
    }
    if (!lines.length) lines.push(`DevDB is not running on ${dataDir}`);
    return {
      json: { stopped: Boolean(up ?? postmaster), pid: up?.pid ?? postmaster ?? null, dataDir },
      blocks: [text(`${lines.join('\n')}\n`)],
    };
  },
};
