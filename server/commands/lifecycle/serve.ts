/**
 * `devdb serve`: DevDB's scheduled jobs (the sampler, the policy, backups, pending
 * drops, the server pool's sizes) against a
 * DevDB server anywhere, in the foreground until SIGINT/SIGTERM
 * (docs/operations.md, "Running devdb serve"). Several may run against one
 * registry: each tick of each job runs once.
 */
import {
  CONNECTION_OPTIONS,
  resolveAdminUrl,
  type ConnectionOptions,
} from '../../admin-connection.js';
import type { CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { API_LISTEN_OPTION } from '../../serve/api-listen.js';
import { LOG_FORMAT_OPTION, type LogFormat } from '../../serve/log.js';

type ServeCommandOptions = Omit<ConnectionOptions, 'env'> & {
  logFormat: LogFormat;
  apiListen?: string;
};

export const serveCommand: CommandSpec<ServeCommandOptions> = {
  name: 'serve',
  description:
    'run the scheduled jobs (sampler, policy, backups, drops, servers) and the control plane against a DevDB server, in the foreground (Ctrl-C stops it)',
  options: [...CONNECTION_OPTIONS, API_LISTEN_OPTION, LOG_FORMAT_OPTION],
  async run(options, io) {
    // Listening from the start: a signal during start-up stops it too.
    const signal = io.shutdownSignal();
    const adminUrl = await resolveAdminUrl({ ...options, env: io.env });
    try {
      new URL(adminUrl);
    } catch {
      throw new UserError('the admin URL is not a valid postgresql:// URL');
    }
    // Loaded here, not with the program: the control plane's modules (fastify, …)
    // would add ~0.5 s to every other command's start-up.
    const { startServeProcess } = await import('../../serve/index.js');
    const runtime = await startServeProcess(adminUrl, io, {
      logFormat: options.logFormat,
      apiListen: options.apiListen,
    });
    const why = await signal;
    runtime.log.info(`${why.startsWith('SIG') ? `${why} received` : why}: stopping`);
    await runtime.stop();
    return { exitCode: 0 };
  },
};
