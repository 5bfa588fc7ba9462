/**
 * Settings for the commands that run after `start` (heartbeat, status, env,
 * doctor): the DEVDB_* variables when set, else what `start` saved; the
 * password from DEVDB_PASSWORD, else the agent's own ~/.pgpass entry.
 */
import { readText } from './atomic-file.js';
import { readConfig, type Config } from '../config.js';
import { parseEnvFile } from './dotenv.js';
import { AgentError, EXIT } from '../errors.js';
import { paths } from './home.js';
import { addSecret } from '../log.js';
import { ownEntry } from './pgpass.js';

export async function loadSettings(): Promise<Config> {
  return readConfig(process.env, parseEnvFile(await readText(paths.envFile())));
}

/** The password in the agent's own ~/.pgpass entry, when that entry is for this server and user. */
export async function savedPassword(config: Config): Promise<string | undefined> {
  const entry = ownEntry(await readText(paths.pgpass()));
  if (
    entry &&
    entry.host === config.host &&
    entry.port === config.port &&
    entry.user === config.user
  ) {
    addSecret(entry.password);
    return entry.password;
  }
  return undefined;
}

export async function passwordFor(config: Config): Promise<string> {
  if (config.password) return config.password;
  const saved = await savedPassword(config);
  if (saved) return saved;
  throw new AgentError(
    `no password for ${config.user}: DEVDB_PASSWORD is not set and ~/.pgpass has no devdb-agent entry for it`,
    'run `devdb-agent start` in the workspace (Coder sets DEVDB_ENROLL_TOKEN or DEVDB_PASSWORD there), or check that the template passes them through coder_env',
    EXIT.usage,
  );
}
