/**
 * `devdb up`: DevDB on an embedded PostgreSQL 17 (or, with --pg-bin-dir, on the
 * machine's own PostgreSQL: server/pg-bin-dir.ts), plus the jobs `devdb serve`
 * runs (server/serve/), in this process. The first run initialises the cluster
 * and generates credentials; later runs reuse both. Stays in the foreground
 * until Ctrl-C / SIGTERM, then stops the jobs and shuts PostgreSQL down cleanly.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  bootstrap,
  checkBackupTools,
  configureLoopback,
  diagnose,
  migrate,
  serverAccess,
  writePublicAddress,
} from '../../../provisioning/index.js';
import {
  adminUrlFor,
  DEFAULT_DATA_DIR,
  ensureDataDir,
  newCredentials,
  pgDataDir,
  readCredentials,
  urlFor,
  withServerTls,
  writeCredentials,
  type Credentials,
} from '../../data-dir.js';
import {
  dataDirOwner,
  initCluster,
  isInitialised,
  PortInUseError,
  prepareTls,
  procState,
  readPidFile,
  serverHosts,
  startCluster,
  type RunningCluster,
  type ServerTls,
} from '../../embedded/index.js';
import { listenPort, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { devdbCommand } from '../../invocation.js';
import {
  backupEnv,
  choosePostgres,
  debianServers,
  EMBEDDED,
  recordPostgres,
  type ChosenPostgres,
} from '../../pg-bin-dir.js';
import { PARENT_EXITED, type CliIO } from '../../io.js';
import { removeUpPidFile, runningUp, writeUpPidFile } from '../../up-process.js';
import type { ServeRuntime } from '../../serve/index.js';
import { API_LISTEN_OPTION } from '../../serve/api-listen.js';
import { LOG_FORMAT_OPTION, type LogFormat } from '../../serve/log.js';
import { findingLine } from './doctor.js';
import { installProvider } from './provider.js';

export interface UpOptions {
  dataDir: string;
  /** How the serve runtime's lines are written (default text). */
  logFormat?: LogFormat;
  port?: number;
  listen: string;
  /** Host name workspaces use to reach this server (get_connection_info). */
  publicHost?: string;
  /** Serve TLS (default; `--no-tls` turns it off). */
  tls?: boolean;
  /** More names / addresses for the generated certificate, comma-separated. */
  tlsHosts?: string;
  /** The admin's own certificate and key (PEM files), and the CA workspaces should trust. */
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  /** Admit network clients without TLS (`host` lines; default with TLS: `hostssl`). */
  allowPlainNetwork?: boolean;
  /** The control plane's address, host:port or off (default: DEVDB_API_LISTEN, else 127.0.0.1:7432). */
  apiListen?: string;
  /**
   * The bin directory of the PostgreSQL to run instead of the embedded 17
   * (default: DEVDB_PG_BIN_DIR, else the one recorded in the data dir); `embedded`
   * for the npm package's own (server/pg-bin-dir.ts).
   */
  pgBinDir?: string;
}

const LOOPBACK = '127.0.0.1';

function step(io: CliIO, message: string): () => void {
  const started = Date.now();
  io.stderr.write(`${message}…`);
  return () => io.stderr.write(` done (${Date.now() - started} ms)\n`);
}

async function prepareCluster(
  options: UpOptions,
  postgres: ChosenPostgres,
  io: CliIO,
): Promise<Credentials> {
  await ensureDataDir(options.dataDir);
  const pgdata = pgDataDir(options.dataDir);
  const existing = await readCredentials(options.dataDir);
  if (await isInitialised(pgdata)) {
    if (!existing) {
      throw new UserError(
        `${pgdata} holds a cluster but ${path.join(options.dataDir, 'credentials.json')} is missing; restore it or start with an empty data dir`,
      );
    }
    return existing;
  }
  const credentials = existing ?? newCredentials(LOOPBACK, options.port ?? 5432);
  // Credentials first: a crash after initdb must not leave a cluster nobody can log in to.
  await writeCredentials(options.dataDir, credentials);
  const done = step(io, `Initialising PostgreSQL ${postgres.major} in ${pgdata}`);
  await initCluster({
    dataDir: pgdata,
    binDir: postgres.binDir,
    superuser: credentials.superuser.user,
    superuserPassword: credentials.superuser.password,
  });
  done();
  return credentials;
}

async function prepareSchema(
  credentials: Credentials,
  options: UpOptions,
  postgres: ChosenPostgres,
  io: CliIO,
): Promise<string[]> {
  await bootstrap(withServerTls(urlFor(credentials, 'superuser', 'postgres'), credentials), {
    provisionerPassword: credentials.provisioner.password,
  });
  const provisioner = new pg.Client(serverAccess(adminUrlFor(credentials)).pgConfig());
  await provisioner.connect();
  try {
    const applied = await migrate(provisioner);
    if (applied.length)
      io.stderr.write(`Applied migrations: ${applied.map((m) => m.file).join(', ')}\n`);
    await configureLoopback(provisioner, {
      host: LOOPBACK,
      port: credentials.port,
      password: credentials.provisioner.password,
    });
    const publicHost =
      options.publicHost ??
      (options.listen === LOOPBACK || options.listen === 'localhost' ? LOOPBACK : hostname());
    await writePublicAddress(provisioner, { host: publicHost, port: credentials.port });
    await logDoctorFindings(provisioner, options.dataDir, io);
    return await backupsLines(provisioner, options.dataDir, postgres, io);
  } finally {
    await provisioner.end();
  }
}

/** What a crash may have left (docs/operations.md, "devdb doctor"): reported, never fixed here. */
async function logDoctorFindings(db: pg.Client, dataDir: string, io: CliIO): Promise<void> {
  const findings = await diagnose(db);
  const lines = findings.length
    ? findings.map((f) => `doctor: ${findingLine(f)}`)
    : ['doctor: nothing to fix'];
  io.stderr.write(`${lines.join('\n')}\n`);
  if (!findings.length) return;
  const fix = devdbCommand(io, 'doctor', '--fix', '--data-dir', dataDir);
  io.stderr.write(`doctor: run \`${fix}\` to repair what it can\n`);
}

/**
 * Whether this machine can back the server up (docs/backups.md, "Which
 * pg_dump"): the embedded PostgreSQL ships no pg_dump, so the banner says
 * which one backups use, or what to install — and, when Debian's server
 * package of an older major is installed (Debian 12 has 15 only), the command
 * that runs DevDB on it, whose pg_dump fits.
 */
async function backupsLines(
  db: pg.Client,
  dataDir: string,
  postgres: ChosenPostgres,
  io: CliIO,
): Promise<string[]> {
  const { tools, problem } = await checkBackupTools({ db, env: backupEnv(io.env, postgres) });
  if (tools) return [`Backups: pg_dump ${tools.major} (${tools.pgDump})`];
  const lines = [`Backups cannot run here: ${problem}`];
  const debian = postgres.binDir === null ? (await debianServers())[0] : undefined;
  if (debian && debian.major < postgres.major) {
    const fresh = `${dataDir}-pg${debian.major}`;
    lines.push(
      `Debian's PostgreSQL ${debian.major} is installed (${debian.dir}), with a pg_dump that backs up a server it runs. A data dir PostgreSQL ${postgres.major} initialised cannot be run by ${debian.major}, so run DevDB on it with a fresh data dir (stop this one first; its databases stay in ${dataDir}):`,
      `  ${devdbCommand(io, 'up', '--data-dir', fresh, '--pg-bin-dir', debian.dir)}`,
    );
  }
  return lines;
}

/** The banner's name for the server: `PostgreSQL 15` and where its binaries are from. */
function postgresLine(postgres: ChosenPostgres, dataDir: string): string[] {
  if (postgres.binDir === null) return [];
  const kept = postgres.source.startsWith('recorded')
    ? postgres.source
    : `${postgres.source}; kept in ${path.join(dataDir, 'postgres.json')} for the next start`;
  return [`PostgreSQL binaries: ${postgres.binDir} (${kept})`];
}

/** The certificate and key PostgreSQL serves (docs/security.md, "TLS"), or none with --no-tls. */
async function serverTls(options: UpOptions, io: CliIO): Promise<ServerTls | undefined> {
  if (options.tls === false) return undefined;
  const extra = [options.publicHost, ...(options.tlsHosts ?? '').split(',')];
  const hosts = serverHosts(
    options.listen,
    extra.filter((h): h is string => !!h?.trim()),
  );
  const pgdata = pgDataDir(options.dataDir);
  const tls = await prepareTls(
    options.dataDir,
    hosts,
    { certFile: options.tlsCert, keyFile: options.tlsKey, caFile: options.tlsCa },
    await dataDirOwner(pgdata),
  );
  io.stderr.write(`${tls.note}\n`);
  return tls;
}

const LOOPBACK_NAMES = new Set([LOOPBACK, 'localhost', '::1']);

/** Listening on more than the loopback names: clients come from the network. */
const listensBeyondLoopback = (listen: string) =>
  listen.split(',').some((a) => !LOOPBACK_NAMES.has(a.trim()));

/**
 * Serving the network without TLS takes --allow-plain-network, so it is never
 * an accident of --no-tls (docs/security.md, "TLS for database connections").
 */
function assertNetworkTls(options: UpOptions): void {
  if (options.tls !== false || options.allowPlainNetwork) return;
  if (!listensBeyondLoopback(options.listen)) return;
  throw new UserError(
    `--no-tls with --listen ${options.listen} would let clients on the network connect without TLS: add --allow-plain-network to allow that, or drop --no-tls`,
  );
}

/** The lines devdb up adds for the network (and any earlier start added): what it rewrites. */
const NETWORK_LINE =
  /^(# added by devdb up --listen.*|host(ssl)? all all (0\.0\.0\.0|::)\/0 scram-sha-256)$/;

/**
 * initdb only lets loopback clients in. Listening further out means workspaces
 * connect from elsewhere: admit them, with SCRAM like everyone else, and over
 * TLS only (`hostssl`) when the server serves it, unless --allow-plain-network.
 * Rewritten at each start, so the lines follow the options; loopback lines stay.
 */
export async function admitRemoteClients(
  pgdata: string,
  options: Pick<UpOptions, 'listen' | 'tls' | 'allowPlainNetwork'>,
): Promise<void> {
  const hba = path.join(pgdata, 'pg_hba.conf');
  const current = await readFile(hba, 'utf8');
  const kept = current.split('\n').filter((line) => !NETWORK_LINE.test(line.trim()));
  while (kept.length && kept.at(-1) === '') kept.pop();
  const type = options.tls !== false && !options.allowPlainNetwork ? 'hostssl' : 'host';
  const why =
    type === 'hostssl' ? 'TLS required' : 'TLS optional: --allow-plain-network or --no-tls';
  const added = listensBeyondLoopback(options.listen)
    ? [
        `# added by devdb up --listen (${why})`,
        `${type} all all 0.0.0.0/0 scram-sha-256`,
        `${type} all all ::/0 scram-sha-256`,
      ]
    : [];
  const next = `${[...kept, ...added].join('\n')}\n`;
  // In place: the file keeps its owner (PostgreSQL's account, when we are root).
  if (next !== current) await writeFile(hba, next);
}

async function waitForShutdown(
  cluster: RunningCluster,
  runtime: ServeRuntime,
  signal: Promise<string>,
  io: CliIO,
): Promise<number> {
  const outcome = await Promise.race([
    signal.then((name) => ({ name })),
    cluster.exited.then((code) => ({ code })),
  ]);
  // The jobs first: they need PostgreSQL to finish or to give their ticks up.
  await runtime.stop();
  if ('code' in outcome) {
    io.stderr.write(
      `devdb: PostgreSQL exited unexpectedly (code ${outcome.code}); see the log above\n`,
    );
    return 1;
  }
  const why = outcome.name === PARENT_EXITED ? outcome.name : `${outcome.name} received`;
  io.stderr.write(`\n${why}: stopping PostgreSQL…\n`);
  await cluster.stop();
  io.stderr.write('DevDB stopped.\n');
  return 0;
}

const stopHint = (io: CliIO, dataDir: string) => devdbCommand(io, 'stop', '--data-dir', dataDir);

/** Starting problems (port taken, already running, unreadable dir) are the user's to fix: no stack trace. */
async function asUserError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PortInUseError) {
      throw new UserError(
        `port ${error.port} is already in use: start with --port <n> (or --port 0 for any free port)\n${error.log}`,
      );
    }
    throw error instanceof UserError ? error : new UserError((error as Error).message);
  }
}

/** A second `devdb up` on a data dir names the first one (not its postmaster) and how to stop it. */
async function assertNotRunning(dataDir: string, io: CliIO): Promise<void> {
  const running = await runningUp(dataDir);
  if (running) {
    throw new UserError(
      `DevDB is already running on ${dataDir} (devdb up, pid ${running.pid}, port ${running.port}); stop it with: ${stopHint(io, dataDir)}`,
    );
  }
  const postmaster = await readPidFile(pgDataDir(dataDir));
  if (postmaster && (await procState(postmaster.pid)) === 'postgres') {
    throw new UserError(
      `PostgreSQL (pid ${postmaster.pid}) is still running on ${dataDir} without its devdb up; stop it with: ${stopHint(io, dataDir)}`,
    );
  }
}

export async function up(given: UpOptions, io: CliIO): Promise<number> {
  const options = { ...given, dataDir: path.resolve(given.dataDir) };
  // Listening from the very start: a signal that arrives while the cluster is
  // still starting stops it too instead of orphaning it.
  const signal = io.shutdownSignal();
  await assertNotRunning(options.dataDir, io);
  assertNetworkTls(options);
  const postgres = await choosePostgres(options.dataDir, options.pgBinDir, io.env);
  const credentials = await asUserError(prepareCluster(options, postgres, io));
  // The cluster is now this major's: later starts without --pg-bin-dir run the same.
  await recordPostgres(options.dataDir, postgres);
  await admitRemoteClients(pgDataDir(options.dataDir), options);
  const tls = await asUserError(serverTls(options, io));
  const done = step(io, 'Starting PostgreSQL');
  const cluster = await asUserError(
    startCluster({
      dataDir: pgDataDir(options.dataDir),
      binDir: postgres.binDir,
      port: options.port ?? credentials.port,
      listen: options.listen,
      // Slow queries per database (devdb slow-queries, the API); bootstrap creates the extension.
      preloadLibraries: ['pg_stat_statements'],
      tls,
      // Problems only: routine server chatter would bury DevDB's own messages.
      onLog: (line) => {
        if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) io.stderr.write(`postgres: ${line}\n`);
      },
    }),
  ).catch((error: unknown) => {
    io.stderr.write(' failed\n');
    throw error;
  });
  done();
  await writeUpPidFile(options.dataDir, {
    pid: process.pid,
    port: cluster.port,
    startedAt: new Date().toISOString(),
  });
  let provider: Awaited<ReturnType<typeof installProvider>>;
  let backups: string[];
  let runtime: ServeRuntime;
  // Backups (the schedule, the API) use the chosen server's pg_dump first.
  const serveIo: CliIO = { ...io, env: backupEnv(io.env, postgres) };
  try {
    credentials.port = cluster.port;
    credentials.host = cluster.host;
    credentials.sslrootcert = tls?.caFile;
    await writeCredentials(options.dataDir, credentials);
    backups = await prepareSchema(credentials, options, postgres, io);
    provider = await installProvider(path.join(options.dataDir, 'terraform'));
    // The same jobs `devdb serve` runs, in this process (loaded here: see serve.ts).
    const { startServeProcess } = await import('../../serve/index.js');
    runtime = await startServeProcess(adminUrlFor(credentials), serveIo, {
      logFormat: options.logFormat,
      apiListen: options.apiListen,
    });
  } catch (error) {
    await cluster.stop();
    await removeUpPidFile(options.dataDir);
    throw error;
  }
  const shownUrl = `postgresql://${credentials.provisioner.user}:****@${cluster.host}:${cluster.port}/devdb`;
  io.stdout.write(
    [
      `DevDB is running: PostgreSQL ${postgres.major} on ${options.listen}:${cluster.port} (data in ${options.dataDir})`,
      ...postgresLine(postgres, options.dataDir),
      tls ? `TLS: on; clients verify it with the CA ${tls.caFile}` : 'TLS: off (--no-tls)',
      ...networkLines(options),
      ...backups,
      `Admin URL (password stored 0600 in ${path.join(options.dataDir, 'credentials.json')}):`,
      `  DEVDB_ADMIN_URL=${withServerTls(shownUrl, credentials)}`,
      `Use it from scripts and Terraform with:`,
      `  export DEVDB_ADMIN_URL=$(${devdbCommand(io, 'admin-url', '--data-dir', options.dataDir)})`,
      `Terraform provider devdb ${provider.version} installed; to use it:`,
      `  export TF_CLI_CONFIG_FILE=${provider.cliConfigFile}`,
      ...dashboardLines(runtime.extensionUrl('api'), io, options.dataDir),
      'Press Ctrl-C to stop, or from another shell:',
      `  ${stopHint(io, options.dataDir)}`,
      '',
    ].join('\n'),
  );
  try {
    return await waitForShutdown(cluster, runtime, signal, io);
  } finally {
    await removeUpPidFile(options.dataDir);
  }
}

/** What clients from the network need, when it listens there. */
function networkLines(options: UpOptions): string[] {
  if (!listensBeyondLoopback(options.listen)) return [];
  return options.tls !== false && !options.allowPlainNetwork
    ? ['Network clients: TLS required (hostssl in pg_hba.conf; --allow-plain-network lifts it)']
    : ['Network clients: TLS not required (--allow-plain-network)'];
}

/** Where the dashboard is and how to log in (no token is made or shown here). */
function dashboardLines(url: string | undefined, io: CliIO, dataDir: string): string[] {
  if (!url) return [];
  const token = ['token', 'create', '--name', 'me', '--role', 'admin', '--data-dir', dataDir];
  return [
    `Dashboard and REST API: ${url}/`,
    `  log in with a token: ${devdbCommand(io, ...token)}`,
  ];
}

export const upCommand: CommandSpec<UpOptions> = {
  name: 'up',
  description:
    "run DevDB on PostgreSQL: the embedded 17, or --pg-bin-dir's (foreground; Ctrl-C stops it)",
  options: [
    {
      flags: '--data-dir <dir>',
      description: 'where the cluster and its credentials live',
      default: DEFAULT_DATA_DIR,
    },
    {
      flags: '--port <n>',
      description: 'port to listen on; 0 = any free port (default: 5432, then the last one used)',
      parse: listenPort,
    },
    {
      flags: '--listen <addr>',
      description: 'listen address(es), comma-separated',
      default: LOOPBACK,
    },
    { flags: '--public-host <host>', description: 'host name workspaces use to reach this server' },
    {
      flags: '--no-tls',
      description: 'serve PostgreSQL without TLS (default: TLS with a CA made in DIR/tls)',
    },
    {
      flags: '--tls-hosts <names>',
      description:
        'more host names / IP addresses for the generated certificate, comma-separated (localhost, 127.0.0.1, this hostname, --listen and --public-host are always in)',
    },
    {
      flags: '--tls-cert <file>',
      description: 'your own server certificate (PEM; with --tls-key)',
    },
    { flags: '--tls-key <file>', description: 'the key of --tls-cert (PEM)' },
    {
      flags: '--tls-ca <file>',
      description: 'the CA workspaces verify --tls-cert with (default: --tls-cert itself)',
    },
    {
      flags: '--allow-plain-network',
      description:
        'admit clients from the network without TLS (pg_hba.conf host, not hostssl); --no-tls with a --listen beyond loopback needs it',
    },
    {
      flags: '--pg-bin-dir <dir>',
      description: `run this PostgreSQL installation's initdb/postgres (15-18) instead of the embedded 17, e.g. /usr/lib/postgresql/15/bin, whose pg_dump then backs it up; kept in the data dir for later starts; "${EMBEDDED}": the embedded one (default: $DEVDB_PG_BIN_DIR, else the one kept)`,
    },
    API_LISTEN_OPTION,
    LOG_FORMAT_OPTION,
  ],
  async run(options, io) {
    return { exitCode: await up(options, io) };
  },
};
