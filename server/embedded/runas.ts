import { execFile, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The identity initdb/postgres run as; undefined means "as this process". */
export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookupUser(name: string): Promise<RunAs | undefined> {
  try {
    const uid = (await execFileP('id', ['-u', name])).stdout.trim();
    const gid = (await execFileP('id', ['-g', name])).stdout.trim();
    return { uid: Number(uid), gid: Number(gid), name };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root we borrow an existing unprivileged
 * account (`postgres`, else `nobody`). We never create accounts on the host.
 */
export async function unprivilegedUser(): Promise<RunAs | undefined> {
  if (!isRoot()) return undefined;
  const user = (await lookupUser('postgres')) ?? (await lookupUser('nobody'));
  if (!user)
    throw new Error(
      'running as root, but neither a "postgres" nor a "nobody" user exists to run PostgreSQL as',
    );
  return user;
}

/**
 * For an existing data directory the owner is the account that must run it (postgres
 * insists on that), so as root we run as the owner rather than guessing again.
 */
export async function dataDirOwner(dataDir: string): Promise<RunAs | undefined> {
  if (!isRoot()) return undefined;
  const st = await stat(dataDir);
  if (st.uid === 0)
    throw new Error(`data directory ${dataDir} is owned by root; PostgreSQL cannot run as root`);
  return { uid: st.uid, gid: st.gid, name: `uid ${st.uid}` };
}

/**
 * Checks that `user` can reach `dir` (search permission on every ancestor, e.g. /root is
 * 0700). Asking the kernel via a child running as that user is exact, including ACLs,
 * and matches what the real child sees (libuv drops supplementary groups on setuid).
 */
export async function assertReachable(dir: string, user: RunAs): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  const child = spawn('/bin/sh', ['-c', 'cd -- "$1"', 'sh', parent], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code === 0) return;
  throw new Error(
    `PostgreSQL must run as the unprivileged user "${user.name}" (it refuses to run as root), ` +
      `but that user cannot enter ${parent} (a parent directory is not searchable, e.g. /root is 0700). ` +
      'Use a data directory elsewhere, e.g. under /var/lib/devdb or /tmp.',
  );
}
