/**
 * A `devdb backup` killed with kill -9 mid-backup leaves a `running` row and a
 * `.partial` file: the next run sees that the run's session lock is gone,
 * marks the row failed and removes the file; a run that is alive is left
 * alone. The backup runs in a real `devdb` process (the built CLI) whose
 * pg_dump is a stand-in that never finishes, so the kill lands mid-backup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanUpStaleRuns,
  ensureIndividualDatabase,
  listBackups,
  takeBackup,
  type BackupContext,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { CLI } from '../helpers/up-process.js';

// Before the cluster helper loads: it reads the server binaries' location once.
const tools = await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');

/** Polls `check` until it returns something (not sleeping for a fixed time: up to `ms`). */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await delay(100);
  }
}

/** A bin dir whose pg_dump reports the real version but, asked to dump, writes a little and hangs. */
async function hangingPgDump(dir: string): Promise<string> {
  const bin = path.join(dir, 'hanging-bin');
  await mkdir(bin);
  await writeFile(
    path.join(bin, 'pg_dump'),
    `#!/bin/sh\ncase "$1" in --version) exec '${tools.pgDump}' --version;; esac\nprintf PGDMP\nexec sleep 600\n`,
  );
  await chmod(path.join(bin, 'pg_dump'), 0o755);
  await symlink(tools.pgRestore, path.join(bin, 'pg_restore'));
  return bin;
}

describe('a backup whose devdb process was killed (kill -9)', () => {
  let devdb: TestDevDb;
  let ctx: BackupContext;
  let dir: string;
  let child: ChildProcess | undefined;
  const database = 'dev_max';

  beforeAll(async () => {
    devdb = await startTestDevDb();
    ctx = { db: devdb.pool, adminUrl: devdb.provisionerUrl };
    dir = await mkdtemp(path.join(tmpdir(), 'devdb-stale-runs-'));
    await ensureIndividualDatabase(devdb.pool, { owner: 'max' });
  });
  afterAll(async () => {
    // The whole process group: the stand-in pg_dump outlives a killed devdb.
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await devdb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is marked failed by the next run, its .partial file removed; a live run is left alone', async () => {
    const store = path.join(dir, 'store');
    const bin = await hangingPgDump(dir);
    child = spawn(
      'node',
      [CLI, 'backup', database, '--admin-url', devdb.provisionerUrl, '--dir', store],
      { env: { ...process.env, DEVDB_PG_BIN_DIR: bin }, stdio: 'ignore', detached: true },
    );
    const exited = new Promise((resolve) => child!.once('exit', resolve));

    const running = await eventually(async () => {
      const [row] = await listBackups(devdb.pool, database);
      if (row?.status !== 'running') return undefined;
      const partial = `${row.file}.partial`;
      return access(partial).then(
        () => ({ row, partial }),
        () => undefined,
      );
    });
    expect(await cleanUpStaleRuns(ctx)).toEqual([]);
    expect((await listBackups(devdb.pool, database))[0]).toMatchObject({ status: 'running' });

    process.kill(child.pid!, 'SIGKILL');
    await exited;
    // PostgreSQL ends the killed process's sessions (and releases the lock) as it notices.
    const [stale] = await eventually(async () => {
      const marked = await cleanUpStaleRuns(ctx);
      return marked.length ? marked : undefined;
    }, 10_000);
    expect(stale).toMatchObject({
      id: running.row.id,
      status: 'failed',
      error: expect.stringMatching(/the process taking it ended before it finished/),
    });
    await expect(access(running.partial)).rejects.toThrow(/ENOENT/);

    const next = await takeBackup(ctx, { database, kind: 'manual', dir: store, recipients: [] });
    expect(next.status).toBe('ok');
    expect((await listBackups(devdb.pool, database)).map((b) => [b.id, b.status])).toEqual([
      [next.id, 'ok'],
      [running.row.id, 'failed'],
    ]);
    expect(await readdir(path.join(store, database))).toEqual([path.basename(next.file)]);
  });
});
