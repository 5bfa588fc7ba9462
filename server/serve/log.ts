/**
 * The serve process's log: one line per event, human text or (--log-format
 * json) one JSON object per line with time, level, job, message and fields.
 * Secrets given to the logger are masked in every line, whatever wrote them.
 */
import type { OptionSpec } from '../command.js';
import type { TextSink } from '../io.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `devdb serve` and `devdb up`'s --log-format (here, not in index.ts: see
 * commands/lifecycle/serve.ts).
 */
export const LOG_FORMAT_OPTION: OptionSpec = {
  flags: '--log-format <format>',
  description: 'log lines as human text or one JSON object each',
  choices: LOG_FORMATS,
  default: 'text',
};
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same log, its lines marked with a job's (or an extension's) name. */
  child(job: string): Logger;
}

export interface LoggerOptions {
  format: LogFormat;
  sink: TextSink;
  /** Strings never to print (passwords): replaced by ****. */
  secrets?: string[];
  now?: () => Date;
}

function textValue(value: LogFields[string]): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

function formatLine(
  format: LogFormat,
  entry: { time: Date; level: LogLevel; job: string | null; message: string; fields: LogFields },
): string {
  const fields = Object.fromEntries(
    Object.entries(entry.fields).filter(([, value]) => value !== undefined),
  );
  if (format === 'json') {
    return JSON.stringify({ ...entry, time: entry.time.toISOString(), fields });
  }
  const where = entry.job ? ` [${entry.job}]` : '';
  const pairs = Object.entries(fields).map(([key, value]) => ` ${key}=${textValue(value)}`);
  return `${entry.time.toISOString()} ${entry.level.toUpperCase()}${where} ${entry.message}${pairs.join('')}`;
}

export function createLogger(options: LoggerOptions, job: string | null = null): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const mask = (line: string) => secrets.reduce((text, s) => text.split(s).join('****'), line);
  const now = options.now ?? (() => new Date());
  const write =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      const line = formatLine(options.format, { time: now(), level, job, message, fields });
      options.sink.write(`${mask(line)}\n`);
    };
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (name) => createLogger(options, name),
  };
}

/** The password of a postgresql:// URL, for LoggerOptions.secrets. */
export function urlSecrets(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password, encodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/** An error's message, for a log line. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
