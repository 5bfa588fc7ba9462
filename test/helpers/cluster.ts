import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initCluster, startCluster } from '../../server/embedded/index.js';

export interface TempCluster {
  host: string;
  port: number;
  superuser: string;
  password: string;
  dataDir: string;
  /** postgres://user:pw@127.0.0.1:port/db; defaults to the superuser and database `postgres`. */
  url(user?: string, password?: string, db?: string): string;
  /** Stops the server, keeping its data: an outage. */
  halt(): Promise<void>;
  /** Starts a halted server again, on the same port with the same data. */
  resume(): Promise<void>;
  /** Stops the server and removes its temp directory. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a fresh embedded PostgreSQL in a temp dir with a generated superuser password. */
export async function startTempCluster(
  opts: { superuser?: string; onLog?: (line: string) => void; preloadLibraries?: string[] } = {},
): Promise<TempCluster> {
  const root = await mkdtemp(path.join(tmpdir(), 'devdb-test-'));
  // mkdtemp makes 0700 dirs; as root the server runs as an unprivileged user that must
  // be able to enter it (the module creates and chowns the data dir itself).
  await chmod(root, 0o755);
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  const superuser = opts.superuser ?? 'devdb_admin';
  const password = randomBytes(24).toString('base64url');
  const dataDir = path.join(root, 'pgdata');
  try {
    await initCluster({ dataDir, superuser, superuserPassword: password });
    const { onLog, preloadLibraries } = opts;
    let server = await startCluster({ dataDir, port: 0, onLog, preloadLibraries });
    const port = server.port;
    let stopped: Promise<void> | undefined;
    return {
      host: server.host,
      port,
      superuser,
      password,
      dataDir,
      url: (user = superuser, pw = password, db = 'postgres') =>
        `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@${server.host}:${port}/${encodeURIComponent(db)}`,
      halt: () => server.stop(),
      resume: async () => {
        server = await startCluster({ dataDir, port, onLog, preloadLibraries });
      },
      stop: () => (stopped ??= server.stop().finally(cleanup)),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Runs `fn` against a fresh temp cluster and always tears it down afterwards. */
export async function withTempCluster<T>(fn: (cluster: TempCluster) => Promise<T>): Promise<T> {
  const cluster = await startTempCluster();
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}
