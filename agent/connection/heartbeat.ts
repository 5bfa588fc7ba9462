/** One access report over a fresh central connection; a server that is away is its own error. */
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { reportAccess, type Report } from './report.js';
import { Unavailable, withCentral } from './server.js';

export async function heartbeatOnce(
  config: Config,
  password: string,
  timeoutMs: number,
): Promise<Report> {
  try {
    return await withCentral(config, password, timeoutMs, (client) => reportAccess(client, config));
  } catch (error) {
    if (!(error instanceof Unavailable)) throw error;
    throw new AgentError(
      `DevDB not available at ${config.host}:${config.port} (${error.reason})`,
      'nothing to do if the server is restarting: the next heartbeat reports again; otherwise run `devdb-agent doctor`',
      EXIT.unavailable,
    );
  }
}
