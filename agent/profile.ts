/**
 * The shell-profile block: it loads ~/.devdb/env so PGHOST/PGUSER/… are set in
 * every shell and `psql` connects with no arguments. Between fixed markers, so
 * it is replaced in place (the same after any number of runs) and removable.
 */
export const BLOCK_BEGIN =
  '# >>> devdb-agent >>> managed by devdb-agent; `devdb-agent uninstall` removes it';
export const BLOCK_END = '# <<< devdb-agent <<<';

// `set -a` exports what the file sets; leave allexport as the user had it.
export const BLOCK = [
  BLOCK_BEGIN,
  'if [ -f "$HOME/.devdb/env" ]; then',
  '  case $- in *a*) . "$HOME/.devdb/env" ;; *) set -a; . "$HOME/.devdb/env"; set +a ;; esac',
  'fi',
  BLOCK_END,
].join('\n');

interface Span {
  start: number;
  end: number;
}

function findBlock(lines: string[]): Span | undefined {
  const start = lines.indexOf(BLOCK_BEGIN);
  if (start < 0) return undefined;
  const end = lines.indexOf(BLOCK_END, start);
  return end < 0 ? undefined : { start, end };
}

export function hasBlock(text: string | null): boolean {
  return text !== null && findBlock(text.split('\n')) !== undefined;
}

export function isCurrentBlock(text: string | null): boolean {
  return text !== null && text.includes(BLOCK);
}

/** The profile with the block in place: replaced where it was, else appended. */
export function withBlock(text: string): string {
  const lines = text.split('\n');
  const span = findBlock(lines);
  if (span) {
    lines.splice(span.start, span.end - span.start + 1, ...BLOCK.split('\n'));
    return lines.join('\n');
  }
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${base.trim() === '' ? '' : '\n'}${BLOCK}\n`;
}

/** The profile without the block (and the blank line appended before it). */
export function withoutBlock(text: string): string {
  const lines = text.split('\n');
  const span = findBlock(lines);
  if (!span) return text;
  const from = span.start > 0 && lines[span.start - 1] === '' ? span.start - 1 : span.start;
  lines.splice(from, span.end - from + 1);
  return lines.join('\n');
}
