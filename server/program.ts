/**
 * The `devdb` program: the commands of server/commands/ (a folder per concept, a
 * file per command) wired to commander, their output through the one renderer
 * (server/render.ts), everything on injected IO. Building it has no side effects;
 * server/cli.ts runs it on the process's IO.
 *
 * Exit codes (README, "Admin commands"): 0 success; 1 an error the user can act
 * on, printed as one line; 2 a usage error (the command line itself), printed as
 * one line plus a pointer to --help; 3 partial: a pool-wide command went on
 * without a server it could not reach (one line each); 70 a bug, printed with its stack.
 */
import { Command, CommanderError, Option } from 'commander';
import { PROVIDER_VERSION as DEVDB_VERSION } from '../provider/devdb/package-layout.js';
import { InvalidNameError, MigrationError, ProvisioningError } from '../provisioning/index.js';
import type { CommandSpec, OptionSpec } from './command.js';
import { provisionCommand } from './commands/access/provision.js';
import { releaseCommand } from './commands/access/release.js';
import { tokenCommand } from './commands/access/token.js';
import { backupCommand } from './commands/backups/backup.js';
import { backupsCommand } from './commands/backups/backups.js';
import { restoreCommand } from './commands/backups/restore.js';
import { connectionsCommand } from './commands/databases/connections.js';
import { createTeamCommand } from './commands/databases/create-team.js';
import { deleteCommand } from './commands/databases/delete.js';
import { eventsCommand } from './commands/databases/events.js';
import { inspectCommand } from './commands/databases/inspect.js';
import { listCommand } from './commands/databases/list.js';
import { rotateCommand } from './commands/databases/rotate.js';
import { sizeCommand } from './commands/databases/size.js';
import { slowQueriesCommand } from './commands/databases/slow-queries.js';
import { snapshotsCommand } from './commands/databases/snapshots.js';
import { summaryCommand } from './commands/databases/summary.js';
import { usersCommand } from './commands/databases/users.js';
import { adminUrlCommand } from './commands/lifecycle/admin-url.js';
import { doctorCommand } from './commands/lifecycle/doctor.js';
import { migrateCommand } from './commands/lifecycle/migrate.js';
import { providerCommand } from './commands/lifecycle/provider.js';
import { serveCommand } from './commands/lifecycle/serve.js';
import { statusCommand } from './commands/lifecycle/status.js';
import { stopCommand } from './commands/lifecycle/stop.js';
import { upCommand } from './commands/lifecycle/up.js';
import { cleanupCommand } from './commands/policy/cleanup.js';
import { orphansCommand } from './commands/policy/orphans.js';
import { policyCommand } from './commands/policy/policy.js';
import { protectCommand } from './commands/policy/protect.js';
import { unprotectCommand } from './commands/policy/unprotect.js';
import { moveCommand } from './commands/pool/move.js';
import { serversCommand } from './commands/pool/servers.js';
import { UserError } from './errors.js';
import { runnableText } from './invocation.js';
import type { CliIO } from './io.js';
import { render, wantsColour, type Output } from './render.js';

export const EXIT_CODES = { ok: 0, error: 1, usage: 2, partial: 3, bug: 70 } as const;

/** The command's own exit code, else partial when a server of the pool could not be reached. */
function exitCodeOf(output: Output): number {
  const own = output.exitCode ?? EXIT_CODES.ok;
  if (own !== EXIT_CODES.ok) return own;
  return output.unreachable?.length ? EXIT_CODES.partial : EXIT_CODES.ok;
}

const COMMANDS: CommandSpec[] = [
  upCommand,
  serveCommand,
  stopCommand,
  statusCommand,
  provisionCommand,
  releaseCommand,
  listCommand,
  summaryCommand,
  usersCommand,
  inspectCommand,
  orphansCommand,
  sizeCommand,
  connectionsCommand,
  eventsCommand,
  createTeamCommand,
  deleteCommand,
  rotateCommand,
  policyCommand,
  protectCommand,
  unprotectCommand,
  cleanupCommand,
  serversCommand,
  moveCommand,
  doctorCommand,
  migrateCommand,
  providerCommand,
  adminUrlCommand,
  backupCommand,
  backupsCommand,
  restoreCommand,
  snapshotsCommand,
  tokenCommand,
  slowQueriesCommand,
];

export interface Program {
  command: Command;
  /** Parses `args` (no node/script in front), runs the command, resolves with the exit code. Once per program. */
  run(args: readonly string[]): Promise<number>;
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.choices) option.choices(spec.choices);
  if (spec.parse) option.argParser(spec.parse);
  return option;
}

function fullName(command: Command): string {
  return command.parent ? `${fullName(command.parent)} ${command.name()}` : command.name();
}

/** After a usage error, one line to the help of the command at hand, not the whole help. */
function pointToHelp(command: Command): Command {
  return command.showHelpAfterError(`Run '${fullName(command)} --help' for usage.`);
}

/**
 * commander checks required options before unknown ones, so `--typ team` would
 * be reported as a missing --type. Checked here instead, in preAction, which
 * runs after the unknown-option check.
 */
function requireOptions(command: Command, required: Option[]): void {
  const missing = required.find((o) => command.getOptionValue(o.attributeName()) === undefined);
  if (missing) {
    command.error(`error: required option '${missing.flags}' not specified`, {
      code: 'commander.missingMandatoryOptionValue',
    });
  }
}

/** `error: unknown option '--typ'\n(Did you mean --type?)` → `devdb: unknown option '--typ' (did you mean --type?)`. */
export function oneLineUsageError(message: string): string {
  const oneLine = message
    .trim()
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)');
  return `devdb: ${oneLine}\n`;
}

function addCommand(
  parent: Command,
  spec: CommandSpec,
  io: CliIO,
  onExit: (code: number) => void,
): void {
  const command = pointToHelp(parent.command(spec.name).description(spec.description));
  for (const argument of spec.arguments ?? []) {
    const name = `${argument.name}${argument.variadic ? '...' : ''}`;
    command.argument(argument.optional ? `[${name}]` : `<${name}>`, argument.description);
  }
  const required: Option[] = [];
  for (const optionSpec of spec.options ?? []) {
    const option = toOption(optionSpec);
    command.addOption(option);
    if (optionSpec.required) required.push(option);
  }
  if (required.length) command.hook('preAction', () => requireOptions(command, required));
  // A command that runs and has subcommands (`backup` and `backup verify`): its own
  // options before a subcommand's name, the subcommand's after, so both may have --json.
  if (spec.run && spec.subcommands?.length) command.enablePositionalOptions();
  for (const sub of spec.subcommands ?? []) addCommand(command, sub, io, onExit);
  const { run } = spec;
  if (!run) return;
  command.action(async (...args: unknown[]) => {
    const named = (spec.arguments ?? []).map((argument, i) => [argument.name, args[i]]);
    const options = { ...command.opts(), ...Object.fromEntries(named) };
    const output = await run(options, io);
    render(output, io, { json: options.json === true });
    onExit(exitCodeOf(output));
  });
}

/** Errors a user can act on print as one line; anything else is a bug and keeps its stack. */
function exitCodeFor(error: unknown, io: CliIO): number {
  // commander has printed its message already (see outputError).
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  const expected = [UserError, InvalidNameError, ProvisioningError, MigrationError];
  if (expected.some((type) => error instanceof type)) {
    io.stderr.write(`devdb: ${runnableText(io, (error as Error).message)}\n`);
    return error instanceof UserError ? error.exitCode : EXIT_CODES.error;
  }
  io.stderr.write(`devdb: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT_CODES.bug;
}

export function buildProgram(io: CliIO): Program {
  let exitCode: number = EXIT_CODES.ok;
  const hasColors = () => wantsColour(io);
  // Settings first: subcommands copy them when created.
  const command = new Command('devdb')
    .description('PostgreSQL databases for Coder workspaces')
    .version(DEVDB_VERSION, '-v, --version', 'print the DevDB version')
    .exitOverride()
    // Options belong to the command they follow, so `backup --json` and `backup verify --json` differ.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(oneLineUsageError(text)),
      // The same help text wherever it runs (commander's default width without a terminal).
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      getOutHasColors: hasColors,
      getErrHasColors: hasColors,
    });
  pointToHelp(command);
  for (const spec of COMMANDS) addCommand(command, spec, io, (code) => (exitCode = code));
  return {
    command,
    async run(args) {
      try {
        await command.parseAsync([...args], { from: 'user' });
        return exitCode;
      } catch (error) {
        return exitCodeFor(error, io);
      }
    },
  };
}
