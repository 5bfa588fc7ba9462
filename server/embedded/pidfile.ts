import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface PidFile {
  pid: number;
  /** 'starting' | 'ready' | 'stopping' (line 8 of postmaster.pid, PostgreSQL 10+). */
  status: string;
}

/** Reads the postmaster's lock file; undefined when absent or unreadable. */
export async function readPidFile(dataDir: string): Promise<PidFile | undefined> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, status: (lines[7] ?? '').trim() };
}

type ProcState = 'postgres' | 'zombie' | 'other' | 'gone';

/** Classifies `pid`: a zombie keeps its pid (and fools postgres' own kill(pid, 0) check). */
export async function procState(pid: number): Promise<ProcState> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return 'gone';
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return 'zombie';
  return comm === 'postgres' ? 'postgres' : 'other';
}

/** Live postgres processes whose working directory is `dataDir` (postgres chdirs there). */
export async function processesUsing(dataDir: string): Promise<number[]> {
  const target = await realpath(dataDir);
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const users = await Promise.all(
    pids.map(async (pid) => {
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      return cwd === target && (await procState(pid)) === 'postgres' ? pid : undefined;
    }),
  );
  return users.filter((pid): pid is number => pid !== undefined);
}
