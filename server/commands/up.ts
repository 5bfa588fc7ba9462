/**
 * `devdb up`: DevDB on an embedded PostgreSQL 17. The first run initialises the
 * cluster and generates credentials; later runs reuse both. Stays in the
 * foreground until Ctrl-C / SIGTERM, then shuts PostgreSQL down cleanly.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap, configureLoopback, migrate } from '../../provisioning/index.js';
import {
  ensureDataDir,
  newCredentials,
  pgDataDir,
  readCredentials,
  urlFor,
  writeCredentials,
  type Credentials,
} from '../data-dir.js';
import {
  initCluster,
  isInitialised,
  startCluster,
  type RunningCluster,
} from '../embedded/index.js';
import { UsageError } from '../errors.js';
import { installProvider } from './provider-install.js';

export interface UpOptions {
  dataDir: string;
  port?: number;
  listen: string;
  /** Host name workspaces use to reach this server (get_connection_info). */
  publicHost?: string;
}

const LOOPBACK = '127.0.0.1';

function step(message: string): () => void {
  const started = Date.now();
  process.stderr.write(`${message}…`);
  return () => process.stderr.write(` done (${Date.now() - started} ms)\n`);
}

async function prepareCluster(options: UpOptions): Promise<Credentials> {
  await ensureDataDir(options.dataDir);
  const pgdata = pgDataDir(options.dataDir);
  const existing = await readCredentials(options.dataDir);
  if (await isInitialised(pgdata)) {
    if (!existing) {
      throw new UsageError(
        `${pgdata} holds a cluster but ${path.join(options.dataDir, 'credentials.json')} is missing; restore it or start with an empty data dir`,
      );
    }
    return existing;
  }
  const credentials = existing ?? newCredentials(LOOPBACK, options.port ?? 5432);
  // Credentials first: a crash after initdb must not leave a cluster nobody can log in to.
  await writeCredentials(options.dataDir, credentials);
  const done = step(`Initialising PostgreSQL 17 in ${pgdata}`);
  await initCluster({
    dataDir: pgdata,
    superuser: credentials.superuser.user,
    superuserPassword: credentials.superuser.password,
  });
  done();
  return credentials;
}

async function prepareSchema(credentials: Credentials, options: UpOptions): Promise<void> {
  await bootstrap(urlFor(credentials, 'superuser', 'postgres'), {
    provisionerPassword: credentials.provisioner.password,
  });
  const provisioner = new pg.Client({ connectionString: urlFor(credentials, 'provisioner') });
  await provisioner.connect();
  try {
    const applied = await migrate(provisioner);
    if (applied.length)
      process.stderr.write(`Applied migrations: ${applied.map((m) => m.file).join(', ')}\n`);
    await configureLoopback(provisioner, {
      host: LOOPBACK,
      port: credentials.port,
      password: credentials.provisioner.password,
    });
    const publicHost =
      options.publicHost ??
      (options.listen === LOOPBACK || options.listen === 'localhost' ? LOOPBACK : hostname());
    await provisioner.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ('public_host', $1), ('public_port', $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [publicHost, String(credentials.port)],
    );
  } finally {
    await provisioner.end();
  }
}

const LOOPBACK_NAMES = new Set([LOOPBACK, 'localhost', '::1']);

/**
 * initdb only lets loopback clients in. Listening further out means workspaces
 * connect from elsewhere: admit them, with SCRAM like everyone else.
 */
async function admitRemoteClients(pgdata: string, listen: string): Promise<void> {
  const wantsRemote = listen.split(',').some((a) => !LOOPBACK_NAMES.has(a.trim()));
  if (!wantsRemote) return;
  const hba = path.join(pgdata, 'pg_hba.conf');
  const current = await readFile(hba, 'utf8');
  const lines = ['host all all 0.0.0.0/0 scram-sha-256', 'host all all ::/0 scram-sha-256'];
  const missing = lines.filter((line) => !current.includes(line));
  if (missing.length)
    await appendFile(hba, `# added by devdb up --listen\n${missing.join('\n')}\n`);
}

/**
 * Listens for SIGINT/SIGTERM from the very start, so a signal that arrives
 * while the cluster is still starting stops it too instead of orphaning it.
 */
function captureShutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => resolve(signal));
  });
}

async function waitForShutdown(cluster: RunningCluster, signal: Promise<string>): Promise<number> {
  const outcome = await Promise.race([
    signal.then((name) => ({ name })),
    cluster.exited.then((code) => ({ code })),
  ]);
  if ('code' in outcome) {
    process.stderr.write(
      `devdb: PostgreSQL exited unexpectedly (code ${outcome.code}); see the log above\n`,
    );
    return 1;
  }
  process.stderr.write(`\n${outcome.name} received: stopping PostgreSQL…\n`);
  await cluster.stop();
  process.stderr.write('DevDB stopped.\n');
  return 0;
}

/** Starting problems (port taken, already running, unreadable dir) are the user's to fix: no stack trace. */
async function asUsageError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

export async function up(given: UpOptions): Promise<number> {
  const options = { ...given, dataDir: path.resolve(given.dataDir) };
  const signal = captureShutdownSignal();
  const credentials = await asUsageError(prepareCluster(options));
  await admitRemoteClients(pgDataDir(options.dataDir), options.listen);
  const done = step('Starting PostgreSQL');
  const cluster = await asUsageError(
    startCluster({
      dataDir: pgDataDir(options.dataDir),
      port: options.port ?? credentials.port,
      listen: options.listen,
      // Problems only: routine server chatter would bury DevDB's own messages.
      onLog: (line) => {
        if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line))
          process.stderr.write(`postgres: ${line}\n`);
      },
    }),
  );
  done();
  try {
    credentials.port = cluster.port;
    credentials.host = cluster.host;
    await writeCredentials(options.dataDir, credentials);
    await prepareSchema(credentials, options);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const provider = await installProvider(path.join(options.dataDir, 'terraform'));
  const dirFlag = `--data-dir ${JSON.stringify(options.dataDir)}`;
  process.stdout.write(
    [
      `DevDB is running: PostgreSQL 17 on ${options.listen}:${cluster.port} (data in ${options.dataDir})`,
      `Admin URL (password stored 0600 in ${path.join(options.dataDir, 'credentials.json')}):`,
      `  DEVDB_ADMIN_URL=postgresql://${credentials.provisioner.user}:****@${cluster.host}:${cluster.port}/devdb`,
      `Use it from scripts and Terraform with:`,
      `  export DEVDB_ADMIN_URL=$(npx devdb admin-url ${dirFlag})`,
      `Terraform provider devdb ${provider.version} installed; to use it:`,
      `  export TF_CLI_CONFIG_FILE=${provider.cliConfigFile}`,
      `Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  return waitForShutdown(cluster, signal);
}
