import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunAs } from './runas.js';

const TAIL_LINES = 30;

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal); never rejects. */
  exited: Promise<number | null>;
  /** The last lines the process printed, for error messages. */
  tail(): string;
}

/** Spawns a PostgreSQL binary, as `runAs` when given, collecting its output by line. */
export function spawnPg(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
  onLog?: (line: string) => void,
): Spawned {
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: pgEnv(),
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  const lines: string[] = [];
  const collect = (line: string): void => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    onLog?.(line);
  };
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream! }).on('line', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      collect(String(err));
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  });
  return { child, pid: child.pid ?? -1, exited, tail: () => lines.join('\n') };
}

/** Our environment minus PG* variables, which would silently change initdb/postgres behaviour. */
function pgEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('PG') && !k.startsWith('LC_')) env[k] ??= v;
  return env;
}

// Servers still running when node exits get a fast-shutdown signal, so a crashed or
// forgotten caller does not leave an orphaned postmaster holding the port and data dir.
const live = new Set<ChildProcess>();
let hooked = false;

export function killOnExit(child: ChildProcess): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGINT');
    });
  }
  live.add(child);
  return () => live.delete(child);
}
