// Backup failures said plainly (docs/backups.md, "When a backup fails"): on a
// real full file system (a 2 MiB tmpfs) a larger dump, whose pg_dump dies of
// SIGPIPE once the writer fails, and a small one, which pg_dump finishes, both
// say `no space left on device writing <file>.partial`, exit 1, leave a
// `failed` registry row with that reason and no `.partial`, and the older
// backups stay as they were. `devdb backup A B` goes on to B after A fails.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureIndividualDatabase,
  generateAgeKeyPair,
  listBackups,
  type BackupRecord,
} from '../../provisioning/index.js';
import { selectBackupTestServer } from '../helpers/backup-server.js';
import type { TestDevDb } from '../helpers/devdb.js';

// Before the cluster helper loads: it reads the server binaries' location once.
await selectBackupTestServer();
const { startTestDevDb } = await import('../helpers/devdb.js');
const { runDevdb } = await import('../helpers/cli-io.js');

const exec = promisify(execFile);
const TMPFS_BYTES = 2 * 1024 * 1024;

/** Mounts a tmpfs of `bytes` at `dir`; the reason when this machine refuses. */
async function mountTmpfs(dir: string, bytes: number): Promise<string | null> {
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
    return null;
  } catch (error) {
    return (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
  }
}

/** Writes 4 KiB blocks (tmpfs' page) into `file` until the file system says ENOSPC. */
async function fillUp(file: string): Promise<number> {
  const handle = await open(file, 'w');
  const block = Buffer.alloc(4096, 0x5a);
  let written = 0;
  try {
    for (;;) written += (await handle.write(block)).bytesWritten;
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    await handle.close().catch(() => undefined);
  }
  return written;
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

const tmpfsSkip = { reason: '' };

describe('backups on a full file system', () => {
  let devdb: TestDevDb;
  let scratch: string;
  let store: string;
  let mounted = false;
  let recipient: string;
  const devdbCli = (args: string[]) =>
    runDevdb([
      ...args,
      '--admin-url',
      devdb.provisionerUrl,
      '--dir',
      store,
      '--recipient',
      recipient,
    ]);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'devdb-backup-full-'));
    store = path.join(scratch, 'store');
    await mkdir(store);
    const refused = await mountTmpfs(store, TMPFS_BYTES);
    if (refused) {
      tmpfsSkip.reason = `mount -t tmpfs was refused here (${refused}): a real full file system cannot be made`;
      return;
    }
    mounted = true;
    devdb = await startTestDevDb();
    recipient = (await generateAgeKeyPair()).recipient;
    await ensureIndividualDatabase(devdb.pool, { owner: 'small' });
    await ensureIndividualDatabase(devdb.pool, { owner: 'large' });
    const client = new pg.Client({
      connectionString: devdb.cluster.url(undefined, undefined, 'dev_large'),
    });
    await client.connect();
    try {
      // ~4 MiB of random bytes: incompressible, so the dump cannot fit in 2 MiB.
      await client.query(`SET ROLE dev_large;
        CREATE TABLE blobs (id int PRIMARY KEY, b bytea NOT NULL);
        INSERT INTO blobs SELECT g, decode(md5(random()::text) || md5(random()::text), 'hex')
          FROM generate_series(1, 130000) g`);
    } finally {
      await client.end();
    }
  }, 120_000);

  afterAll(async () => {
    await devdb?.stop();
    if (mounted) await exec('umount', [store]).catch(() => exec('umount', ['-l', store]));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const backupsOf = (database: string) => listBackups(devdb.pool, database);
  const partials = async () =>
    (await readdir(store, { recursive: true })).filter((f) => f.endsWith('.partial'));

  it('a larger dump: the write error is named (not SIGPIPE); backup A B goes on to B', async (ctx) => {
    if (!mounted) ctx.skip(tmpfsSkip.reason);
    const older = await devdbCli(['backup', 'dev_small', '--json']);
    expect(older.code, older.stderr).toBe(0);
    const [kept] = JSON.parse(older.stdout) as BackupRecord[];
    const keptSha = await sha256(kept!.file);

    const run = await devdbCli(['backup', 'dev_large', 'dev_small']);
    console.log(
      `backup dev_large dev_small on a ${TMPFS_BYTES} B tmpfs:\n${run.stdout}${run.stderr}`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `devdb: backup of dev_large failed: no space left on device writing ${store}/dev_large/dev_large-\\S+\\.dump\\.age\\.partial \\(ENOSPC\\)\\n`,
      ),
    );
    expect(run.stderr + run.stdout).not.toMatch(/SIGPIPE|SIGKILL|unexpected error/);
    expect(run.stdout).toMatch(/1 backed up, 1 failed/);
    expect(run.stdout).toMatch(/dev_small +│ ok \(backup \d+\)/);
    expect(run.stdout).toMatch(/dev_large +│ FAILED: no space left on device writing/);

    const [failed] = await backupsOf('dev_large');
    expect(failed).toMatchObject({ status: 'failed', bytes: null });
    expect(failed!.error).toBe(`no space left on device writing ${failed!.file}.partial (ENOSPC)`);
    const [newest, previous] = await backupsOf('dev_small');
    expect(newest).toMatchObject({ status: 'ok' });
    expect(previous).toMatchObject({ id: kept!.id, status: 'ok' });
    expect(await sha256(kept!.file)).toBe(keptSha);
    expect(await partials()).toEqual([]);
  });

  it('a small dump on a file system already full: exit 1, the file named, a failed record', async (ctx) => {
    if (!mounted) ctx.skip(tmpfsSkip.reason);
    const before = await backupsOf('dev_small');
    const shas = await Promise.all(before.map((b) => sha256(b.file)));
    const filler = path.join(store, 'filler');
    console.log(`filled the tmpfs with ${await fillUp(filler)} B`);
    try {
      const run = await devdbCli(['backup', 'dev_small']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^devdb: no space left on device writing ${store}/dev_small/dev_small-\\S+\\.dump\\.age\\.partial \\(ENOSPC\\)\\n$`,
        ),
      );
      const [failed, ...rest] = await backupsOf('dev_small');
      expect(failed).toMatchObject({ status: 'failed' });
      expect(failed!.error).toBe(
        `no space left on device writing ${failed!.file}.partial (ENOSPC)`,
      );
      expect(rest).toEqual(before);
      expect(await Promise.all(rest.map((b) => sha256(b.file)))).toEqual(shas);
      expect(await partials()).toEqual([]);
    } finally {
      await rm(filler, { force: true });
    }
    const again = await devdbCli(['backup', 'dev_small']);
    expect(again.code, again.stderr).toBe(0);
  });
});
