#!/usr/bin/env node
/** The `devdb` command: run DevDB, provision from the shell, and administer it. */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  InvalidNameError,
  MigrationError,
  ProvisioningError,
  WORKSPACE_ACCESS,
} from '../provisioning/index.js';
import { inspect, list, summary, users } from './commands/admin.js';
import { runMigrate } from './commands/migrate.js';
import { provision, release } from './commands/provision.js';
import { installProvider, provisionerInstructions } from './commands/provider-install.js';
import { up } from './commands/up.js';
import { DEFAULT_DATA_DIR, readCredentials, urlFor } from './data-dir.js';
import { UsageError } from './errors.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('must be a port number from 1 to 65535');
  }
  return port;
}

function listenPort(value: string): number {
  if (value === '0') return 0;
  try {
    return portNumber(value);
  } catch {
    throw new InvalidArgumentError('must be a port number from 1 to 65535, or 0 for any free port');
  }
}

/** Every command that talks to the server finds it the same way. */
function withConnection(command: Command): Command {
  return command
    .option('--admin-url <url>', 'provisioner URL (default: $DEVDB_ADMIN_URL, else --data-dir)')
    .option('--data-dir <dir>', 'data dir of `devdb up`', DEFAULT_DATA_DIR);
}

const json = new Option('--json', 'print JSON');

function buildProgram(): Command {
  const program = new Command('devdb')
    .description('PostgreSQL databases for Coder workspaces')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('up')
    .description('run DevDB on an embedded PostgreSQL 17 (foreground; Ctrl-C stops it)')
    .option('--data-dir <dir>', 'where the cluster and its credentials live', DEFAULT_DATA_DIR)
    .option(
      '--port <n>',
      'port to listen on; 0 = any free port (default: 5432, then the last one used)',
      listenPort,
    )
    .option('--listen <addr>', 'listen address(es), comma-separated', '127.0.0.1')
    .option('--public-host <host>', 'host name workspaces use to reach this server')
    .action(async (o) => {
      process.exitCode = await up(o);
    });

  withConnection(program.command('provision'))
    .description(
      "attach a workspace to its database (creating it if needed); prints the workspace's credentials",
    )
    .addOption(
      new Option('--type <type>', 'database type')
        .choices(['individual', 'team'])
        .makeOptionMandatory(),
    )
    .requiredOption('--owner <user>', "the workspace owner's Coder username")
    .option('--owner-id <id>', "the owner's Coder user id (keeps the database across renames)")
    .option('--team <name>', 'team name (with --type team)')
    .requiredOption('--workspace-id <id>', 'the Coder workspace id')
    .option('--workspace-name <name>', 'the Coder workspace name')
    .option('--template <name>', 'the Coder template name')
    .addOption(
      new Option('--access <level>', "write: act as the database's owner; read: SELECT only")
        .choices(WORKSPACE_ACCESS)
        .default('write'),
    )
    .option('--host <host>', 'host workspaces connect to (default: the admin URL host)')
    .option('--port <n>', 'port workspaces connect to (default: the admin URL port)', portNumber)
    .addOption(json)
    .action((o) => provision(o));

  withConnection(program.command('release'))
    .description('detach a workspace: its login role and sessions are dropped, databases stay')
    .requiredOption('--workspace-id <id>', 'the Coder workspace id')
    .addOption(json)
    .action((o) => release(o));

  withConnection(program.command('list'))
    .description('list databases')
    .addOption(json)
    .action(list);
  withConnection(program.command('summary')).description('totals').addOption(json).action(summary);
  withConnection(program.command('users'))
    .description('list users and their databases')
    .addOption(json)
    .action(users);
  withConnection(program.command('inspect'))
    .description('one database: users, workspaces, recent events')
    .argument('<name>', 'database name, e.g. dev_alice')
    .addOption(json)
    .action((name: string, o) => inspect({ ...o, name }));

  withConnection(program.command('migrate'))
    .description('apply pending schema migrations')
    .option('--status', 'only show which migrations are applied')
    .addOption(json)
    .action(runMigrate);

  program
    .command('provider')
    .description('the devdb Terraform provider')
    .command('install')
    .description(
      'lay out a filesystem mirror with the provider and a CLI config for TF_CLI_CONFIG_FILE',
    )
    .option('--dir <dir>', 'mirror directory', path.join(DEFAULT_DATA_DIR, 'terraform'))
    .action(async (o) => {
      process.stdout.write(provisionerInstructions(await installProvider(o.dir)));
    });

  program
    .command('admin-url')
    .description(
      "print the provisioner's URL, password included: export DEVDB_ADMIN_URL=$(devdb admin-url)",
    )
    .option('--data-dir <dir>', 'data dir of `devdb up`', DEFAULT_DATA_DIR)
    .action(async (o) => {
      const credentials = await readCredentials(o.dataDir);
      if (!credentials)
        throw new UsageError(`no DevDB credentials in ${o.dataDir}: run \`devdb up\` first`);
      process.stdout.write(`${urlFor(credentials, 'provisioner')}\n`);
    });

  return program;
}

/** Errors a user can act on print as one line; anything else is a bug and keeps its stack. */
function report(error: unknown): number {
  const expected = [UsageError, InvalidNameError, ProvisioningError, MigrationError];
  if (expected.some((type) => error instanceof type)) {
    process.stderr.write(`devdb: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`devdb: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = report(error);
  });
