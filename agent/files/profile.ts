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

/** A block's first and last lines: how it is found again in a file others edit too. */
export interface Markers {
  begin: string;
  end: string;
}

const PROFILE_MARKERS: Markers = { begin: BLOCK_BEGIN, end: BLOCK_END };

function findBlock(lines: string[], markers: Markers): Span | undefined {
  const start = lines.indexOf(markers.begin);
  if (start < 0) return undefined;
  const end = lines.indexOf(markers.end, start);
  return end < 0 ? undefined : { start, end };
}

export function hasBlock(text: string | null, markers = PROFILE_MARKERS): boolean {
  return text !== null && findBlock(text.split('\n'), markers) !== undefined;
}

export function isCurrentBlock(text: string | null): boolean {
  return text !== null && text.includes(BLOCK);
}

/**
 * The file with `block` (whose first and last lines are its markers) in place:
 * replaced where it was, else appended.
 */
export function withBlock(text: string, block = BLOCK): string {
  const blockLines = block.split('\n');
  const markers = { begin: blockLines[0]!, end: blockLines[blockLines.length - 1]! };
  const lines = text.split('\n');
  const span = findBlock(lines, markers);
  if (span) {
    lines.splice(span.start, span.end - span.start + 1, ...blockLines);
    return lines.join('\n');
  }
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${base.trim() === '' ? '' : '\n'}${block}\n`;
}

/** The file without the block (and the blank line appended before it). */
export function withoutBlock(text: string, markers = PROFILE_MARKERS): string {
  const lines = text.split('\n');
  const span = findBlock(lines, markers);
  if (!span) return text;
  const from = span.start > 0 && lines[span.start - 1] === '' ? span.start - 1 : span.start;
  lines.splice(from, span.end - from + 1);
  return lines.join('\n');
}
