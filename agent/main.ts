/**
 * devdb-agent: the in-workspace agent (README.md, "The workspace agent"). Bundled into one file
 * (agent/bundle.ts) that needs nothing but node ≥ 18.
 */
import { parseArgs, type FlagSpec, type Flags } from './args.js';
import { doctor } from './commands/doctor.js';
import { env } from './commands/env.js';
import { heartbeat } from './commands/heartbeat.js';
import { reset, restore, snapshot, snapshots } from './commands/snapshots.js';
import { start } from './commands/start.js';
import { status } from './commands/status.js';
import { uninstall } from './commands/uninstall.js';
import { AgentError, EXIT } from './errors.js';
import { log, print, redact } from './log.js';

const USAGE = `usage: devdb-agent <command> [flags]

  start [--timeout S] [--watch [--interval S]]
             wait for DevDB (default 60 s, DEVDB_AGENT_TIMEOUT), write ~/.pgpass,
             ~/.pg_service.conf [devdb], ~/.devdb/env and a shell-profile block
             so bare \`psql\` connects; report access. --watch keeps reporting
             every interval (default 300 s, DEVDB_AGENT_INTERVAL)
  heartbeat [--timeout S]
             report access once (for a cron coder_script)
  status     one line for Coder's agent metadata: database · size · connections
  env [--json]
             the connection settings as export lines or JSON (no password)
  doctor     check settings, DNS, TCP, login, database, files, and that psql/pg_dump
             are of the server's major or newer; say what to fix
  uninstall  remove what start wrote
  snapshot [NAME] [--json]
             snapshot this workspace's database (NAME: a-z 0-9 . _ -, default
             s<date>-<time>); ends this workspace's own sessions in it first
  snapshots [--json]
             list them (name, when, size) and the latest restores
  snapshots delete NAME [--json]
             delete one (frees room under the admin's limits)
  restore NAME [--json]
             put the database back to a snapshot, under the same name and URL
  reset [--json]
             put it back to where it started: its team seed, else empty
  version    print the agent's version (also --version)

Reads DEVDB_HOST, DEVDB_PORT, DEVDB_NAME, DEVDB_USER, DEVDB_URL, and
DEVDB_ENROLL_TOKEN (start enrolls a password it makes itself, unless the one
in ~/.pgpass still works) or DEVDB_PASSWORD; reports to the central database
DEVDB_CENTRAL_DB (default devdb).
Exit codes: 0 ok, 1 failed, 2 settings/usage, 3 DevDB unavailable, 4 credentials rejected.`;

/** Set by the bundle (agent/bundle.ts: esbuild `define`); unbundled runs say `unknown`. */
declare const DEVDB_AGENT_VERSION: string | undefined;
const VERSION = typeof DEVDB_AGENT_VERSION === 'string' ? DEVDB_AGENT_VERSION : 'unknown';

type Command = (flags: Flags, args: string[]) => Promise<number>;

const COMMANDS: Record<string, { flags: FlagSpec; args?: number; run: Command }> = {
  start: { flags: { timeout: 'seconds', watch: 'boolean', interval: 'seconds' }, run: start },
  heartbeat: { flags: { timeout: 'seconds' }, run: heartbeat },
  status: { flags: {}, run: status },
  env: { flags: { json: 'boolean' }, run: env },
  doctor: { flags: {}, run: doctor },
  uninstall: { flags: {}, run: uninstall },
  snapshot: { flags: { json: 'boolean', timeout: 'seconds' }, args: 1, run: snapshot },
  snapshots: { flags: { json: 'boolean', timeout: 'seconds' }, args: 2, run: snapshots },
  restore: { flags: { json: 'boolean', timeout: 'seconds' }, args: 1, run: restore },
  reset: { flags: { json: 'boolean', timeout: 'seconds' }, run: reset },
  help: { flags: {}, run: async () => (print(USAGE), EXIT.ok) },
  version: { flags: {}, run: async () => (print(VERSION), EXIT.ok) },
};

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') argv = ['help'];
  if (argv[0] === '--version' || argv[0] === '-V') argv = ['version'];
  const specs = Object.fromEntries(Object.entries(COMMANDS).map(([k, c]) => [k, c.flags]));
  const positional = Object.fromEntries(Object.entries(COMMANDS).map(([k, c]) => [k, c.args ?? 0]));
  const { command, flags, args } = parseArgs(argv, specs, positional);
  return COMMANDS[command]!.run(flags, args);
}

function report(error: unknown): number {
  if (error instanceof AgentError) {
    log(`${error.message}\n  what to do: ${error.fix}`);
    return error.exitCode;
  }
  log(`unexpected error: ${redact(String((error as Error)?.stack ?? error))}`);
  return EXIT.failed;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(report(error)),
);
