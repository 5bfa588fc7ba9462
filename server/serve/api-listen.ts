/**
 * Where the control plane listens (docs/api.md, "Where it listens"): the
 * --api-listen flag of `devdb serve` and `devdb up`, else DEVDB_API_LISTEN,
 * else 127.0.0.1:7432. Apart from control-plane.ts, which loads the HTTP
 * server: the commands' flags are read without it.
 */
import { InvalidArgumentError } from 'commander';
import type { OptionSpec } from '../command.js';

export interface ControlPlaneListen {
  host: string;
  port: number;
}

/** What an address may be, for messages. */
export const API_LISTEN_FORMS =
  'host:port (e.g. 127.0.0.1:7432, 0.0.0.0:7432, [::1]:7432; port 0 picks a free one) or off';

/** `host:port` as host and port, null for `off`, undefined for anything else. */
export function listenAddress(text: string): ControlPlaneListen | null | undefined {
  if (text === 'off') return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) return undefined;
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

export const API_LISTEN_OPTION: OptionSpec = {
  flags: '--api-listen <addr>',
  description:
    "the control plane's HTTP address, host:port or off (default: $DEVDB_API_LISTEN, else 127.0.0.1:7432)",
  parse: (value) => {
    if (listenAddress(value.trim()) === undefined) {
      throw new InvalidArgumentError(`must be ${API_LISTEN_FORMS}`);
    }
    return value.trim();
  },
};
