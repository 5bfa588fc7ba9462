/**
 * How a `devdb` command is declared: it owns its flags and its handler. The
 * handler gets the parsed options and the injected IO, and returns data for
 * the one renderer (server/render.ts); server/program.ts wires it to commander.
 */
import { InvalidArgumentError } from 'commander';
import type { CliIO } from './io.js';
import type { Output } from './render.js';

export interface OptionSpec {
  /** commander syntax: `--type <type>`, `--json`. */
  flags: string;
  description: string;
  default?: string;
  choices?: readonly string[];
  /** Parses and checks the value; throws commander's InvalidArgumentError to refuse it. */
  parse?: (value: string) => unknown;
  /** Checked after unknown options, so a mistyped flag is reported as such. */
  required?: boolean;
}

export interface ArgumentSpec {
  /** Key of the value in the handler's options. */
  name: string;
  description: string;
  /** May be left out (`[name]`); required by default. */
  optional?: boolean;
  /** Takes every remaining argument, as an array (last argument only). */
  variadic?: boolean;
}

export interface CommandSpec<Options = Record<string, unknown>> {
  name: string;
  description: string;
  options?: OptionSpec[];
  /** Positional arguments, passed to the handler by name. */
  arguments?: ArgumentSpec[];
  subcommands?: CommandSpec[];
  run?(options: Options, io: CliIO): Promise<Output>;
}

export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'print JSON' };

export function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('must be a port number from 1 to 65535');
  }
  return port;
}

/** A port to listen on: 0 asks for any free one. */
export function listenPort(value: string): number {
  if (value === '0') return 0;
  try {
    return portNumber(value);
  } catch {
    throw new InvalidArgumentError('must be a port number from 1 to 65535, or 0 for any free port');
  }
}
