/**
 * A tiny argument parser: the bundle must start fast and stay small, and the
 * agent has six commands with a handful of flags, so a library buys nothing.
 * Accepts `--flag`, `--flag value` and `--flag=value`.
 */
import { AgentError, EXIT } from './errors.js';

export type FlagKind = 'boolean' | 'seconds';
export type FlagSpec = Record<string, FlagKind>;
export type Flags = Record<string, boolean | number>;

export interface Parsed {
  command: string;
  flags: Flags;
  /** Arguments that are not flags (a snapshot's name), for commands that take them. */
  args: string[];
}

function usageError(message: string): AgentError {
  return new AgentError(message, 'run `devdb-agent help` for the commands and flags', EXIT.usage);
}

function parseSeconds(flag: string, raw: string | undefined): number {
  const value = raw === undefined ? NaN : Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw usageError(`--${flag} needs a number of seconds greater than 0, got ${raw ?? 'nothing'}`);
  }
  return value;
}

/** `positional`: how many arguments that are not flags each command takes (default none). */
export function parseArgs(
  argv: string[],
  specs: Record<string, FlagSpec>,
  positional: Record<string, number> = {},
): Parsed {
  const [command = 'help', ...rest] = argv;
  const spec = specs[command];
  if (!spec) throw usageError(`unknown command "${command}"`);
  const flags: Flags = {};
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-') && args.length < (positional[command] ?? 0)) {
      args.push(arg);
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const kind = match ? spec[match[1]!] : undefined;
    if (!match || !kind) throw usageError(`unknown argument "${arg}" for ${command}`);
    const name = match[1]!;
    if (kind === 'boolean') {
      if (match[2] !== undefined) throw usageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      flags[name] = parseSeconds(name, match[2] ?? rest[++i]);
    }
  }
  return { command, flags, args };
}
