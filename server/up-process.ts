/**
 * The running `devdb up` of a data dir: DIR/devdb.pid names its process (not
 * the postmaster's, which PostgreSQL keeps in DIR/pgdata/postmaster.pid), so
 * `devdb stop` and `devdb status` find it, and a second `devdb up` can say
 * which process to stop.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { procState } from './embedded/index.js';

export interface UpProcessInfo {
  /** The `devdb up` (node) process. */
  pid: number;
  port: number;
  startedAt: string;
}

const pidFile = (dataDir: string) => path.join(dataDir, 'devdb.pid');

export async function writeUpPidFile(dataDir: string, info: UpProcessInfo): Promise<void> {
  await writeFile(pidFile(dataDir), `${JSON.stringify(info)}\n`, { mode: 0o644 });
}

export async function removeUpPidFile(dataDir: string): Promise<void> {
  await rm(pidFile(dataDir), { force: true });
}

/** Alive and not a zombie (which keeps its pid until reaped). */
export async function processAlive(pid: number): Promise<boolean> {
  const state = await procState(pid);
  return state === 'postgres' || state === 'other';
}

/** Whether `pid` is alive and still a `devdb up` (a pid may be reused after a crash). */
async function isDevdbUp(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes('up') && (await processAlive(pid));
}

/** The `devdb up` running on this data dir, or undefined (no pid file, or a stale one). */
export async function runningUp(dataDir: string): Promise<UpProcessInfo | undefined> {
  const text = await readFile(pidFile(dataDir), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let info: UpProcessInfo;
  try {
    info = JSON.parse(text) as UpProcessInfo;
  } catch {
    return undefined;
  }
  return Number.isInteger(info.pid) && (await isDevdbUp(info.pid)) ? info : undefined;
}

/** Resolves true once `alive()` turns false, false when `timeoutMs` passed first. */
export async function waitUntilGone(
  alive: () => Promise<boolean>,
  timeoutMs: number,
  pollMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}
