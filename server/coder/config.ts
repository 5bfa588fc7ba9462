/**
 * Where the admin side finds Coder: the URL from --coder-url, else CODER_URL, else
 * the setting coder_url; the token from --coder-token-file, else
 * CODER_SESSION_TOKEN (never from settings: the registry is no place for it).
 * Neither given: Coder's checks are skipped, with how to enable them. One given
 * on the command line or in the environment without the other: an error.
 */
import { readFile } from 'node:fs/promises';
import {
  readCoderTimeoutSeconds,
  readSetting,
  SETTING_KEYS,
  type Queryable,
} from '../../provisioning/index.js';
import { InvalidArgumentError } from 'commander';
import type { OptionSpec } from '../command.js';
import { UserError } from '../errors.js';
import type { CliIO } from '../io.js';
import { CoderClient, type CoderClientOptions } from './client.js';

export interface CoderOptions {
  coderUrl?: string;
  coderTokenFile?: string;
  /** Seconds. */
  coderTimeout?: number;
}

export const CODER_OPTIONS: OptionSpec[] = [
  {
    flags: '--coder-url <url>',
    description: `Coder's URL (default: $CODER_URL, else the setting ${SETTING_KEYS.coderUrl})`,
  },
  {
    flags: '--coder-token-file <file>',
    description: 'file holding a Coder session token (default: $CODER_SESSION_TOKEN)',
  },
  {
    flags: '--coder-timeout <seconds>',
    description: `seconds to wait for each answer from Coder (default: the setting ${SETTING_KEYS.coderTimeoutSeconds}, else 10)`,
    parse: (value) => {
      const seconds = Number(value);
      if (!(seconds > 0) || !Number.isFinite(seconds)) {
        throw new InvalidArgumentError('must be a number of seconds above 0');
      }
      return seconds;
    },
  },
];

/** How to give DevDB access to Coder, for messages. */
export const HOW_TO_ENABLE_CODER =
  'set CODER_URL and CODER_SESSION_TOKEN (a token from `coder tokens create --lifetime 720h`), ' +
  'or pass --coder-url and --coder-token-file';

export type CoderAccess =
  { configured: true; options: CoderClientOptions } | { configured: false; reason: string };

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(
      `cannot read the Coder token file ${file} (${code}): check --coder-token-file`,
    );
  }
  const token = text.trim();
  if (!token)
    throw new UserError(`the Coder token file ${file} is empty: put a session token in it`);
  return token;
}

async function findUrl(options: CoderOptions, io: Pick<CliIO, 'env'>, db: Queryable) {
  if (options.coderUrl) return { url: options.coderUrl, source: '--coder-url', explicit: true };
  if (io.env.CODER_URL) return { url: io.env.CODER_URL, source: 'CODER_URL', explicit: true };
  const setting = await readSetting(db, SETTING_KEYS.coderUrl);
  if (setting)
    return { url: setting, source: `the setting ${SETTING_KEYS.coderUrl}`, explicit: false };
  return null;
}

async function findToken(options: CoderOptions, io: Pick<CliIO, 'env'>) {
  if (options.coderTokenFile) {
    const file = options.coderTokenFile;
    return {
      token: await readTokenFile(file),
      source: `the token file ${file} (--coder-token-file)`,
    };
  }
  if (io.env.CODER_SESSION_TOKEN) {
    return { token: io.env.CODER_SESSION_TOKEN.trim(), source: 'CODER_SESSION_TOKEN' };
  }
  return null;
}

/** Resolves Coder's URL, token and timeout; throws a UserError for a half-given configuration. */
export async function resolveCoderAccess(
  options: CoderOptions,
  io: Pick<CliIO, 'env'>,
  db: Queryable,
): Promise<CoderAccess> {
  const [url, token] = [await findUrl(options, io, db), await findToken(options, io)];
  if (!url && !token)
    return { configured: false, reason: `Coder is not configured: ${HOW_TO_ENABLE_CODER}` };
  if (!token) {
    if (!url!.explicit) {
      return {
        configured: false,
        reason: `${url!.source} is set but no token is: set CODER_SESSION_TOKEN or pass --coder-token-file`,
      };
    }
    throw new UserError(
      `Coder's URL is given (${url!.source}) but no token: set CODER_SESSION_TOKEN or pass --coder-token-file`,
    );
  }
  if (!url) {
    throw new UserError(
      `a Coder token is given (${token.source}) but no URL: set CODER_URL, pass --coder-url, ` +
        `or set the setting ${SETTING_KEYS.coderUrl}`,
    );
  }
  const seconds = options.coderTimeout ?? (await readCoderTimeoutSeconds(db));
  return {
    configured: true,
    options: {
      url: url.url,
      urlSource: url.source,
      token: token.token,
      tokenSource: token.source,
      timeoutMs: seconds * 1000,
    },
  };
}

/** A client for the resolved access, or null when Coder is not configured. */
export function coderClientFor(
  access: CoderAccess,
  overrides: Partial<CoderClientOptions> = {},
): CoderClient | null {
  return access.configured ? new CoderClient({ ...access.options, ...overrides }) : null;
}
