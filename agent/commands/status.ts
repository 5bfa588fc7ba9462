/**
 * `devdb-agent status`: one short line for Coder's agent metadata, e.g.
 * "dev_alice · 7.4 MiB · 2 connections", or what is wrong in a word or two.
 * Bounded well under a second: metadata runs every few seconds. Always exits
 * 0 — the line is the result, also when it says "unreachable".
 */
import { UnavailableAtBuild, type Config } from '../config.js';
import { databaseState, sizeText, type DatabaseState } from '../connection/database-state.js';
import { AgentError, EXIT } from '../errors.js';
import { print } from '../log.js';
import { Unavailable, withCentral } from '../connection/server.js';
import { loadSettings, passwordFor } from '../files/settings.js';

const CONNECT_TIMEOUT_MS = 500;
const DEADLINE_MS = 800;

function describe(config: Config, state: DatabaseState): string {
  if (!state.exists) return `${config.name}: missing`;
  if (!state.allowsConnections) return `${config.name}: archived`;
  const conns = `${state.connections} connection${state.connections === 1 ? '' : 's'}`;
  return [config.name, sizeText(state), conns].join(' · ');
}

async function line(): Promise<string> {
  let config: Config;
  try {
    config = await loadSettings();
  } catch (error) {
    return error instanceof UnavailableAtBuild ? 'DevDB unavailable at build' : 'not configured';
  }
  try {
    const password = await passwordFor(config);
    const state = await withCentral(config, password, CONNECT_TIMEOUT_MS, (client) =>
      databaseState(client, config.name),
    );
    return describe(config, state);
  } catch (error) {
    if (error instanceof Unavailable) return 'unreachable';
    if (error instanceof AgentError && error.exitCode === EXIT.rejected) return 'login failed';
    if (error instanceof AgentError && error.exitCode === EXIT.usage) return 'not configured';
    return 'unreachable';
  }
}

export async function status(): Promise<number> {
  const timeout = new Promise<string>((resolve) => {
    setTimeout(() => resolve('unreachable'), DEADLINE_MS).unref();
  });
  print(await Promise.race([line(), timeout]));
  return EXIT.ok;
}
