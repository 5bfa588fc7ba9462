/**
 * ~/.pgpass: the agent owns exactly one entry, the line after its marker
 * comment, and leaves every other line alone. Its entry goes first because
 * libpq (and node's pg) use the first matching line. The database field is `*`:
 * the same credentials open the workspace's database and the central `devdb`.
 */
export const PGPASS_MARKER =
  '# devdb-agent - the next line is managed by devdb-agent (uninstall removes it)';

export interface PgpassEntry {
  host: string;
  port: number;
  user: string;
  password: string;
}

const escape = (field: string) => field.replace(/[\\:]/g, (c) => `\\${c}`);

export function entryLine(e: PgpassEntry): string {
  return [e.host, String(e.port), '*', e.user, e.password].map(escape).join(':');
}

/** The file's lines with the agent's marker and entry taken out. */
function othersLines(text: string): string[] {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === PGPASS_MARKER)
      i++; // skip the marker and the entry after it
    else kept.push(lines[i]!);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept;
}

/** The file with the agent's entry (first) and everything else unchanged. */
export function withEntry(text: string | null, entry: PgpassEntry): string {
  const rest = othersLines(text ?? '');
  return [PGPASS_MARKER, entryLine(entry), ...rest].join('\n') + '\n';
}

/** The file without the agent's entry; null when nothing else is left in it. */
export function withoutEntry(text: string): string | null {
  const rest = othersLines(text);
  return rest.length === 0 ? null : rest.join('\n') + '\n';
}

export function hasEntry(text: string | null): boolean {
  return text !== null && text.split('\n').includes(PGPASS_MARKER);
}

function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) current += line[++i];
    else if (c === ':' && fields.length < 4) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/** The agent's own entry, parsed, or undefined when there is none. */
export function ownEntry(text: string | null): PgpassEntry | undefined {
  if (text === null) return undefined;
  const lines = text.split('\n');
  const at = lines.indexOf(PGPASS_MARKER);
  const line = at >= 0 ? lines[at + 1] : undefined;
  if (!line) return undefined;
  const [host, port, , user, password] = splitFields(line);
  if (!host || !port || !user || !password) return undefined;
  return { host, port: Number(port), user, password };
}
