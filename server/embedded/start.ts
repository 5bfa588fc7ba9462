import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pgBinaries } from './binaries.js';
import { isInitialised } from './init.js';
import { processesUsing, procState, readPidFile } from './pidfile.js';
import { ping } from './ping.js';
import { findFreePort } from './port.js';
import { type Spawned, killOnExit, spawnPg } from './proc.js';
import { type RunAs, assertReachable, dataDirOwner } from './runas.js';

export interface ClusterOptions {
  /** PGDATA, created by initCluster. */
  dataDir: string;
  /** 0 = pick a free port. */
  port: number;
  /** listen_addresses; default '127.0.0.1'. Loopback is always included. */
  listen?: string;
  /** Server log lines (default: discarded). */
  onLog?: (line: string) => void;
  /** How long to wait for the server to accept connections; default 60 s. */
  startTimeoutMs?: number;
  /** shared_preload_libraries, e.g. ['pg_stat_statements'] (`devdb up`'s slow queries). */
  preloadLibraries?: string[];
  /** Serve TLS with these PEM files (./tls.ts makes them); plain TCP only without. */
  tls?: { certFile: string; keyFile: string };
  /** Another installation's bin directory (binaries.ts); null: the embedded 17; default: DEVDB_PG_BIN_DIR, else the embedded. */
  binDir?: string | null;
}

export interface RunningCluster {
  port: number;
  /** Loopback address the server is reachable on from this machine. */
  host: string;
  pid: number;
  /** Fast shutdown; resolves once the postmaster has exited. Idempotent. */
  stop(): Promise<void>;
  /** Resolves with the exit code (null if killed by a signal) whenever the server exits. */
  exited: Promise<number | null>;
}

/** Another process listens on the port asked for (the message keeps PostgreSQL's log). */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly log: string,
  ) {
    super(`port ${port} is already in use\n${log}`);
    this.name = 'PortInUseError';
  }
}

const LOOPBACK = '127.0.0.1';
const PORT_ATTEMPTS = 3;
const STOP_GRACE_MS = 30_000;

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const dataDir = path.resolve(opts.dataDir);
  if (!(await isInitialised(dataDir)))
    throw new Error(`${dataDir} is not an initialised PostgreSQL data directory`);
  await assertNotRunning(dataDir);
  const runAs = await dataDirOwner(dataDir);
  if (runAs) await assertReachable(dataDir, runAs);
  // With port 0 another process can grab the port between our probe and postgres'
  // bind; retrying with a fresh port makes parallel test runs robust.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await findFreePort(LOOPBACK));
    try {
      return await launch(dataDir, port, opts, runAs);
    } catch (err) {
      const inUse = /Address already in use/.test(String(err));
      if (inUse && opts.port !== 0) throw new PortInUseError(port, (err as Error).message);
      if (!(inUse && opts.port === 0 && attempt < PORT_ATTEMPTS)) throw err;
    }
  }
}

/** listen_addresses, with loopback added: DevDB's server connects to itself (dblink). */
export function listenAddresses(listen = LOOPBACK): string {
  const parts = listen.split(',').map((s) => s.trim());
  const hasLoopback = parts.some((p) => ['127.0.0.1', 'localhost', '*', '0.0.0.0'].includes(p));
  return hasLoopback ? parts.join(',') : [...parts, LOOPBACK].join(',');
}

async function launch(
  dataDir: string,
  port: number,
  opts: ClusterOptions,
  runAs: RunAs | undefined,
): Promise<RunningCluster> {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${listenAddresses(opts.listen)}`,
    // TCP only: no socket-path length limits, no dependency on /var/run/postgresql.
    '-c',
    'unix_socket_directories=',
    // On the command line so neither postgresql.conf edits nor ALTER SYSTEM can weaken it.
    '-c',
    'password_encryption=scram-sha-256',
    ...(opts.preloadLibraries?.length
      ? ['-c', `shared_preload_libraries=${opts.preloadLibraries.join(',')}`]
      : []),
    ...sslSettings(opts.tls).flatMap((setting) => ['-c', setting]),
  ];
  const proc = spawnPg(pgBinaries(opts.binDir).postgres, args, runAs, opts.onLog);
  const forget = killOnExit(proc.child);
  void proc.exited.then(forget);
  try {
    await waitReady(proc, dataDir, port, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return {
    port,
    host: LOOPBACK,
    pid: proc.pid,
    exited: proc.exited,
    stop: () => stopProcess(proc),
  };
}

/** On the command line too, so that what `devdb up` says is what the server does. */
function sslSettings(tls: ClusterOptions['tls']): string[] {
  if (!tls) return ['ssl=off'];
  return ['ssl=on', `ssl_cert_file=${tls.certFile}`, `ssl_key_file=${tls.keyFile}`];
}

/**
 * Ready means: our postmaster (not some other server that happens to own the port)
 * reports "ready" in its lock file, and a protocol-level ping over loopback gets an
 * answer past the "starting up" stage.
 */
async function waitReady(
  proc: Spawned,
  dataDir: string,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`PostgreSQL exited during startup (exit ${exitCode}):\n${proc.tail()}`);
    }
    const pidFile = await readPidFile(dataDir);
    const ours = pidFile?.pid === proc.pid && pidFile.status === 'ready';
    if (ours && (await ping(LOOPBACK, port)) === 'ready') return;
    await sleep(25);
  }
  throw new Error(
    `PostgreSQL did not accept connections on port ${port} within ${timeoutMs} ms:\n${proc.tail()}`,
  );
}

/**
 * SIGINT is PostgreSQL's fast shutdown: abort sessions, checkpoint, exit. Should that
 * hang, SIGQUIT (immediate shutdown; crash recovery on next start) still frees the port.
 */
async function stopProcess(proc: Spawned): Promise<void> {
  const running = (): boolean => proc.child.exitCode === null && proc.child.signalCode === null;
  if (running()) proc.child.kill('SIGINT');
  const timer = setTimeout(() => running() && proc.child.kill('SIGQUIT'), STOP_GRACE_MS);
  await proc.exited;
  clearTimeout(timer);
}

/**
 * postgres would refuse with a lock-file message; say it in DevDB's terms. A lock file
 * whose pid is gone is left for postgres, which removes it after also checking that its
 * shared memory is unused. A zombie pid (an orphaned postmaster that died under an init
 * that does not reap) would block postgres forever, so we remove that file ourselves,
 * but only when no live postgres process still works in the data dir.
 */
async function assertNotRunning(dataDir: string): Promise<void> {
  const pidFile = await readPidFile(dataDir);
  if (!pidFile) return;
  const state = await procState(pidFile.pid);
  if (state === 'postgres') {
    throw new Error(
      `a DevDB server is already running on this data dir (pid ${pidFile.pid}): ${dataDir}`,
    );
  }
  if (state !== 'zombie') return;
  const users = await processesUsing(dataDir);
  if (users.length > 0) {
    throw new Error(
      `PostgreSQL processes (pids ${users.join(', ')}) still use ${dataDir}; stop them first`,
    );
  }
  await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
}
