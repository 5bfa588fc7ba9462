/**
 * `devdb status`: whether the `devdb up` of a data dir runs, found through its
 * pid file (server/up-process.ts), and what its server holds.
 */
import path from 'node:path';
import pg from 'pg';
import { readServerFacts, serverAccess, type ServerFacts } from '../../../provisioning/index.js';
import { adminUrlFor, readCredentials } from '../../data-dir.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { devdbCommand } from '../../invocation.js';
import { fields, type Output } from '../../render.js';
import { runningUp } from '../../up-process.js';
import { DATA_DIR_OPTION, orphanPostmaster } from './shared.js';

async function serverFacts(dataDir: string, port: number): Promise<ServerFacts | undefined> {
  const credentials = await readCredentials(dataDir);
  if (!credentials) return undefined;
  const client = new pg.Client({
    ...serverAccess(adminUrlFor({ ...credentials, port })).pgConfig(),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    return await readServerFacts(client);
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
  async run(options, io): Promise<Output> {
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
        ? `not running, but PostgreSQL (pid ${postmaster}) is: ${devdbCommand(io, 'stop', '--data-dir', dataDir)}`
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
