/** Doctor's network checks, in the order a connection needs them: DNS, TCP, login, database. */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Config } from '../config.js';
import { databaseState, sizeText, requireUsable } from '../connection/database-state.js';
import { AgentError } from '../errors.js';
import { Unavailable, withCentral } from '../connection/server.js';
import { fail, ok, type Finding } from './check.js';

const TIMEOUT_MS = 3000;

export async function checkDns(config: Config): Promise<Finding> {
  if (net.isIP(config.host)) return ok('dns', `${config.host} is an IP address`);
  try {
    const addresses = await lookup(config.host, { all: true });
    return ok('dns', `${config.host} → ${addresses.map((a) => a.address).join(', ')}`);
  } catch (error) {
    return fail(
      'dns',
      `cannot resolve ${config.host} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      "check DEVDB_HOST (the provider's `host` setting) and that this workspace can resolve it (/etc/resolv.conf, the cluster's DNS)",
    );
  }
}

export function checkTcp(config: Config): Promise<Finding> {
  const where = `${config.host}:${config.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: config.host, port: config.port });
    const done = (finding: Finding) => {
      socket.destroy();
      resolve(finding);
    };
    socket.setTimeout(TIMEOUT_MS, () =>
      done(
        fail(
          'tcp',
          `no answer from ${where} within ${TIMEOUT_MS / 1000}s`,
          'a firewall or network policy drops the traffic, or the host is down: check the route from the workspace to DevDB',
        ),
      ),
    );
    socket.once('connect', () => done(ok('tcp', `${where} accepts connections`)));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        fail(
          'tcp',
          `cannot connect to ${where} (${error.code ?? error.message})`,
          error.code === 'ECONNREFUSED'
            ? 'nothing listens there: check that DevDB is running, DEVDB_PORT, and that the server listens on the address workspaces use (`devdb up --listen`)'
            : 'check the route from this workspace to DevDB',
        ),
      ),
    );
  });
}

/** What checkLogin found, and the server's server_version_num when it logged in. */
export interface Login {
  findings: Finding[];
  serverVersionNum?: number;
}

/** Logs in to the central database and checks the workspace database from there. */
export async function checkLogin(config: Config, password: string): Promise<Login> {
  try {
    return await withCentral(config, password, TIMEOUT_MS, async (client): Promise<Login> => {
      const login = ok('login', `${config.user} logged in to ${config.centralDb}`);
      const state = await databaseState(client, config.name);
      try {
        requireUsable(state, config);
      } catch (error) {
        const e = error as AgentError;
        return { findings: [login, fail('database', e.message, e.fix)] };
      }
      const { rows } = await client.query<{ can: boolean; version: number }>(
        `SELECT has_function_privilege('provisioning.report_access()', 'EXECUTE') AS can,
                current_setting('server_version_num')::int AS version`,
      );
      const report = rows[0]?.can
        ? ok('report', 'may call provisioning.report_access()')
        : fail(
            'report',
            `${config.user} may not report access`,
            'the role is not in devdb_workspace: restart the workspace to re-attach it',
          );
      const database = ok(
        'database',
        `${config.name}: ${sizeText(state)}, ${state.connections} connection(s)`,
      );
      return { findings: [login, database, report], serverVersionNum: rows[0]?.version };
    });
  } catch (error) {
    if (error instanceof Unavailable) {
      const retry = 'the server is starting or overloaded: try again in a minute';
      return { findings: [fail('login', `DevDB did not answer (${error.reason})`, retry)] };
    }
    const e = error as AgentError;
    return { findings: [fail('login', e.message, e.fix ?? 'run `devdb-agent start` again')] };
  }
}
