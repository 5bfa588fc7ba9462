/**
 * ~/.pg_service.conf: the agent owns the `[devdb]` section (`psql service=devdb`,
 * PGSERVICE=devdb) and keeps every other service as it was. No password here:
 * libpq takes it from ~/.pgpass.
 */
import type { Config } from '../config.js';

export const SERVICE_NAME = 'devdb';
const HEADER = `[${SERVICE_NAME}]`;
const MARKER = `# devdb-agent - the ${HEADER} section is managed by devdb-agent (uninstall removes it)`;

function section(config: Config): string[] {
  return [
    MARKER,
    HEADER,
    `host=${config.host}`,
    `port=${config.port}`,
    `dbname=${config.name}`,
    `user=${config.user}`,
    ...(config.sslmode ? [`sslmode=${config.sslmode}`] : []),
  ];
}

const isHeader = (line: string) => /^\s*\[.*\]\s*$/.test(line);

/** Every line except the [devdb] section and the agent's marker. */
function othersLines(text: string): string[] {
  const kept: string[] = [];
  let inOurs = false;
  for (const line of text.split('\n')) {
    if (isHeader(line)) inOurs = line.trim() === HEADER;
    if (!inOurs && line !== MARKER) kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop();
  return kept;
}

export function withSection(text: string | null, config: Config): string {
  const rest = othersLines(text ?? '');
  return [...rest, ...(rest.length ? [''] : []), ...section(config)].join('\n') + '\n';
}

/** The file without the [devdb] section; null when nothing else is left. */
export function withoutSection(text: string): string | null {
  const rest = othersLines(text);
  return rest.length === 0 ? null : rest.join('\n') + '\n';
}

/** The [devdb] section's settings, or undefined when there is none. */
export function readSection(text: string | null): Record<string, string> | undefined {
  if (text === null) return undefined;
  let inOurs = false;
  let found = false;
  const settings: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (isHeader(line)) inOurs = line.trim() === HEADER;
    if (!inOurs) continue;
    found = true;
    const match = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) settings[match[1]!] = match[2]!;
  }
  return found ? settings : undefined;
}
