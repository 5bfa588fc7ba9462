/**
 * `devdb stop` and `devdb status`: the `devdb up` of a data dir, found through
 * its pid file (server/up-process.ts), from another shell.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import pg from 'pg';
import { procState, readPidFile } from '../embedded/index.js';
import { DEFAULT_DATA_DIR, pgDataDir, readCredentials, urlFor } from '../data-dir.js';
import { JSON_OPTION, type CommandSpec, type OptionSpec } from '../command.js';
import { UserError } from '../errors.js';
import { fields, text, type Output } from '../render.js';
import { processAlive, runningUp, waitUntilGone } from '../up-process.js';

const DATA_DIR_OPTION: OptionSpec = {
  flags: '--data-dir <dir>',
  description: 'data dir of `devdb up`',
  default: DEFAULT_DATA_DIR,
};

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

/** A postmaster left running without its `devdb up` (the up process was killed). */
async function orphanPostmaster(dataDir: string): Promise<number | undefined> {
  const pidFile = await readPidFile(pgDataDir(dataDir));
  return pidFile && (await procState(pidFile.pid)) === 'postgres' ? pidFile.pid : undefined;
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

interface ServerFacts {
  postgresVersion: string;
  databases: number;
}

async function serverFacts(dataDir: string, port: number): Promise<ServerFacts | undefined> {
  const credentials = await readCredentials(dataDir);
  if (!credentials) return undefined;
  const client = new pg.Client({
    connectionString: urlFor({ ...credentials, port }, 'provisioner'),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    const { rows } = await client.query<ServerFacts>(
      `SELECT current_setting('server_version') AS "postgresVersion",
              (SELECT count(*)::int FROM provisioning.databases WHERE status <> 'dropped') AS databases`,
    );
    return rows[0];
  } catch {
    return undefined; // still starting, or stopping: the process facts stand on their own
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const statusCommand: CommandSpec<{ dataDir: string }> = {
  name: 'status',
  description: 'whether `devdb up` runs on a data dir: pid, port, PostgreSQL version, databases',
  options: [DATA_DIR_OPTION, JSON_OPTION],
  async run(options): Promise<Output> {
    const dataDir = path.resolve(options.dataDir);
    const up = await runningUp(dataDir);
    const facts = up ? await serverFacts(dataDir, up.port) : undefined;
    const status = {
      running: up !== undefined,
      pid: up?.pid ?? null,
      port: up?.port ?? null,
      dataDir,
      postgresVersion: facts?.postgresVersion ?? null,
      databases: facts?.databases ?? null,
    };
    const postmaster = up ? undefined : await orphanPostmaster(dataDir);
    const state = up
      ? 'running'
      : postmaster
        ? `not running, but PostgreSQL (pid ${postmaster}) is: devdb stop --data-dir ${JSON.stringify(dataDir)}`
        : 'not running';
    return {
      json: status,
      blocks: [
        fields([
          { label: 'DevDB', value: state },
          { label: 'pid', value: status.pid },
          { label: 'port', value: status.port },
          { label: 'data dir', value: dataDir },
          { label: 'PostgreSQL', value: status.postgresVersion },
          { label: 'databases', value: status.databases },
        ]),
      ],
    };
  },
};
