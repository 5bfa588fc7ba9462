/**
 * How to run this `devdb` again from the shell that started it (README, "Running
 * DevDB"): every command DevDB prints for a person to run — the banner of `devdb
 * up`, error hints, commands named in tables — is written in the form that works
 * where it is printed:
 *
 * - `devdb` when the `devdb` on the PATH is this very file (a global install, or
 *   `npm link` in a clone). The folders npm and npx put in front of the PATH for
 *   the process they start do not count: the person's shell does not have them.
 * - `npx devdb` when npm started it (`npm start`, `npx devdb`) in a project where
 *   `npx devdb` runs this file: a clone of DevDB (the project's own `bin`) or a
 *   project that installed it (`node_modules/.bin/devdb`). Run elsewhere, npx
 *   would ask the registry for a package of that name, so it is never printed
 *   otherwise.
 * - otherwise `node /absolute/path/to/dist/server/cli.js`, which works anywhere.
 *
 * Messages written once for everyone (the library's errors, SQL hints) name the
 * command as `devdb …` in backticks; {@link runnableText} rewrites those where the
 * CLI prints them.
 */
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { CliIO, Launch } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for sh: as is when nothing in it is special, else single-quoted. */
export function shellWord(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function realFile(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** Folders npm and npx add in front of the PATH of what they start. */
const NPM_PATH_ENTRY = /(^|\/)node_modules\/\.bin\/?$|node-gyp-bin\/?$/;

const startedByNpm = (env: Env) => !!(env.npm_lifecycle_event || env.npm_command);

/** The executable `name` the shell finds on the PATH, as a real path. */
function onPath(name: string, env: Env): string | undefined {
  const entries = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of entries) {
    if (!path.isAbsolute(dir)) continue; // depends on the shell's current folder
    if (startedByNpm(env) && NPM_PATH_ENTRY.test(dir)) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
    } catch {
      continue;
    }
    return realFile(file);
  }
  return undefined;
}

/** The files `npx devdb` runs in the project npm started this process in. */
function npxTargets(env: Env): string[] {
  const project = env.npm_config_local_prefix;
  if (!startedByNpm(env) || !project || !path.isAbsolute(project)) return [];
  const targets = [path.join(project, 'node_modules', '.bin', 'devdb')];
  try {
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      bin?: string | Record<string, string>;
    };
    const own = typeof manifest.bin === 'object' ? manifest.bin.devdb : undefined;
    if (own) targets.push(path.join(project, own));
  } catch {
    // no readable package.json: only an installed devdb counts
  }
  return targets;
}

/** The command line that runs this `devdb` (see the module's comment), without arguments. */
export function devdbInvocation(launch: Launch, env: Env): string {
  const self = realFile(launch.script);
  if (self === undefined) return 'devdb';
  if (onPath('devdb', env) === self) return 'devdb';
  if (npxTargets(env).some((target) => realFile(target) === self)) return 'npx devdb';
  const node = onPath('node', env) === realFile(launch.node) ? 'node' : shellWord(launch.node);
  return `${node} ${shellWord(self)}`;
}

const decided = new WeakMap<object, string>();

/**
 * The invocation for `io`, decided once. IO without a launch (a program run
 * inside another process, as tests do) says plain `devdb`.
 */
export function invocationOf(io: Pick<CliIO, 'env' | 'launch'>): string {
  if (!io.launch) return 'devdb';
  let invocation = decided.get(io);
  if (invocation === undefined) {
    invocation = devdbInvocation(io.launch, io.env);
    decided.set(io, invocation);
  }
  return invocation;
}

/** `devdb ARGS…` as it runs here, each argument quoted for sh when it needs it. */
export function devdbCommand(io: Pick<CliIO, 'env' | 'launch'>, ...args: string[]): string {
  return [invocationOf(io), ...args.map(shellWord)].join(' ');
}

/** Text for a person: each `devdb …` in backticks written as it runs here. */
export function runnableText(io: Pick<CliIO, 'env' | 'launch'>, text: string): string {
  const invocation = invocationOf(io);
  return invocation === 'devdb' ? text : text.replaceAll('`devdb ', `\`${invocation} `);
}
