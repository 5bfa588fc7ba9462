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
import type { CommandSpec, OptionSpec } from './command.js';
import { UserError } from './errors.js';
import { runnableText } from './invocation.js';
import type { CliIO } from './io.js';
import type { Output } from './render.js';

export const EXIT_CODES = { ok: 0, error: 1, usage: 2, partial: 3, bug: 70 } as const;

/** The command's own exit code, else partial when a server of the pool could not be reached. */
function exitCodeOf(output: Output): number {
  const own = output.exitCode ?? EXIT_CODES.ok;
  if (own !== EXIT_CODES.ok) return own;
  return output.unreachable?.length ? EXIT_CODES.partial : EXIT_CODES.ok;
}

/** A command's spec as the program holds it (the module types its options for its handler). */
const spec = <Options>(command: CommandSpec<Options>) => command as unknown as CommandSpec;

/**
 * Every command, in the order of `devdb --help`, by name; a command's module (its flags,
 * its handler and what they import) loads only when that command runs or its help is
 * printed, so `devdb --version` and `devdb list` pay for no other command.
 */
const COMMANDS: [name: string, load: () => Promise<CommandSpec>][] = [
  ['up', async () => spec((await import('./commands/lifecycle/up.js')).upCommand)],
  ['serve', async () => spec((await import('./commands/lifecycle/serve.js')).serveCommand)],
  ['stop', async () => spec((await import('./commands/lifecycle/stop.js')).stopCommand)],
  ['status', async () => spec((await import('./commands/lifecycle/status.js')).statusCommand)],
  [
    'provision',
    async () => spec((await import('./commands/access/provision.js')).provisionCommand),
  ],
  ['release', async () => spec((await import('./commands/access/release.js')).releaseCommand)],
  ['list', async () => spec((await import('./commands/databases/list.js')).listCommand)],
  ['summary', async () => spec((await import('./commands/databases/summary.js')).summaryCommand)],
  ['users', async () => spec((await import('./commands/databases/users.js')).usersCommand)],
  ['inspect', async () => spec((await import('./commands/databases/inspect.js')).inspectCommand)],
  ['orphans', async () => spec((await import('./commands/policy/orphans.js')).orphansCommand)],
  ['size', async () => spec((await import('./commands/databases/size.js')).sizeCommand)],
  [
    'connections',
    async () => spec((await import('./commands/databases/connections.js')).connectionsCommand),
  ],
  ['events', async () => spec((await import('./commands/databases/events.js')).eventsCommand)],
  [
    'create-team',
    async () => spec((await import('./commands/databases/create-team.js')).createTeamCommand),
  ],
  ['delete', async () => spec((await import('./commands/databases/delete.js')).deleteCommand)],
  ['rotate', async () => spec((await import('./commands/databases/rotate.js')).rotateCommand)],
  ['policy', async () => spec((await import('./commands/policy/policy.js')).policyCommand)],
  ['protect', async () => spec((await import('./commands/policy/protect.js')).protectCommand)],
  [
    'unprotect',
    async () => spec((await import('./commands/policy/unprotect.js')).unprotectCommand),
  ],
  ['cleanup', async () => spec((await import('./commands/policy/cleanup.js')).cleanupCommand)],
  ['servers', async () => spec((await import('./commands/pool/servers.js')).serversCommand)],
  ['move', async () => spec((await import('./commands/pool/move.js')).moveCommand)],
  ['doctor', async () => spec((await import('./commands/lifecycle/doctor.js')).doctorCommand)],
  ['migrate', async () => spec((await import('./commands/lifecycle/migrate.js')).migrateCommand)],
  [
    'provider',
    async () => spec((await import('./commands/lifecycle/provider.js')).providerCommand),
  ],
  [
    'admin-url',
    async () => spec((await import('./commands/lifecycle/admin-url.js')).adminUrlCommand),
  ],
  ['backup', async () => spec((await import('./commands/backups/backup.js')).backupCommand)],
  ['backups', async () => spec((await import('./commands/backups/backups.js')).backupsCommand)],
  ['restore', async () => spec((await import('./commands/backups/restore.js')).restoreCommand)],
  [
    'snapshots',
    async () => spec((await import('./commands/databases/snapshots.js')).snapshotsCommand),
  ],
  ['token', async () => spec((await import('./commands/access/token.js')).tokenCommand)],
  [
    'slow-queries',
    async () => spec((await import('./commands/databases/slow-queries.js')).slowQueriesCommand),
  ],
];

export interface Program {
  /** The program; each command's own options, arguments and subcommands once loaded. */
  command: Command;
  /** Loads every command (as `devdb --help` does), for the tests that walk the tree. */
  loadAll(): Promise<void>;
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
  defineCommand(parent.command(spec.name), spec, io, onExit);
}

/** Gives `command` (already named and in its parent's list) the spec's arguments, flags and handler. */
function defineCommand(
  command: Command,
  spec: CommandSpec,
  io: CliIO,
  onExit: (code: number) => void,
): void {
  pointToHelp(command.description(spec.description));
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
    const { render } = await import('./render.js');
    render(output, io, { json: options.json === true });
    onExit(exitCodeOf(output));
  });
}

/** Errors a user can act on print as one line; anything else is a bug and keeps its stack. */
async function exitCodeFor(error: unknown, io: CliIO): Promise<number> {
  // commander has printed its message already (see outputError).
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  // Loaded already when one of its errors was thrown (it is no cost of `--version`).
  const { InvalidNameError, MigrationError, ProvisioningError } =
    await import('../provisioning/index.js');
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
  // render.ts's wantsColour, without loading the renderer for `--version` or `--help`.
  const hasColors = () => io.isTTY && !io.env.NO_COLOR;
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
  const onExit = (code: number) => (exitCode = code);
  // Every command by name now (the list, suggestions for a mistyped one); the rest of it
  // when loaded.
  const unloaded = new Map(
    COMMANDS.map(([name, load]) => [name, { load, command: command.command(name) }]),
  );
  const load = async (name: string) => {
    const entry = unloaded.get(name);
    if (!entry) return;
    unloaded.delete(name);
    const spec = await entry.load();
    if (spec.name !== name) throw new Error(`command ${name}: its module declares ${spec.name}`);
    defineCommand(entry.command, spec, io, onExit);
  };
  const loadAll = async () => {
    for (const name of [...unloaded.keys()]) await load(name);
  };
  return {
    command,
    loadAll,
    async run(args) {
      try {
        await loadFor(args, load, loadAll);
        await command.parseAsync([...args], { from: 'user' });
        return exitCode;
      } catch (error) {
        return await exitCodeFor(error, io);
      }
    },
  };
}

/**
 * Loads what parsing `args` needs: `--version` nothing, `devdb NAME …` and
 * `devdb help NAME` that command, anything else (`--help`, no command, a mistyped one)
 * every command, as the program's help lists them all.
 */
async function loadFor(
  args: readonly string[],
  load: (name: string) => Promise<void>,
  loadAll: () => Promise<void>,
): Promise<void> {
  const [first, second] = args;
  if (first === '-v' || first === '--version') return;
  const name = first === 'help' ? second : first;
  if (name !== undefined && COMMANDS.some(([known]) => known === name)) return load(name);
  return loadAll();
}
