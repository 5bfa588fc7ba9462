// Logs go to stderr, where go-plugin picks them up: JSON lines in hclog's format so
// Terraform shows them with their level under TF_LOG. The level comes from
// TF_LOG_PROVIDER or TF_LOG, like Go providers. Callers must never pass secret values.

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<Level | 'off', number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  off: 5,
};

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  trace(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): Level | 'off' {
  const raw = (env.TF_LOG_PROVIDER || env.TF_LOG || '').trim().toLowerCase();
  if (raw === 'json') return 'trace';
  if (raw in ORDER) return raw as Level | 'off';
  // Terraform treats any other non-empty value as TRACE.
  return raw === '' ? 'error' : 'trace';
}

export function createLogger(
  module: string,
  level: Level | 'off' = levelFromEnv(),
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = ORDER[level];
  const emit = (at: Level) => (message: string, fields?: Fields) => {
    if (ORDER[at] < threshold) return;
    const entry = {
      '@level': at,
      '@message': message,
      '@module': module,
      '@timestamp': hclogTimestamp(new Date()),
      ...fields,
    };
    write(JSON.stringify(entry) + '\n');
  };
  return {
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
}

/**
 * go-plugin parses @timestamp with the layout 2006-01-02T15:04:05.000000Z07:00,
 * which takes exactly six fractional digits; with JavaScript's three the whole
 * line fails to parse and Terraform shows it as raw JSON at DEBUG, whatever its level.
 */
export function hclogTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
