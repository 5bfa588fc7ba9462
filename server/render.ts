/**
 * The one renderer of `devdb` output. Commands return data (an {@link Output});
 * this turns it into JSON for --json, or into readable text: tables with a rule
 * under the header, numbers right-aligned, sizes in IEC units, and colour only
 * on a terminal without NO_COLOR (https://no-color.org).
 */
import Table from 'cli-table3';
import { runnableText } from './invocation.js';
import type { CliIO } from './io.js';
import { formatBytes } from '../provisioning/contract/index.js';
import { describeUnreachable, type UnreachableServer } from '../provisioning/index.js';

/** A value as a command hands it over; formatting is the renderer's business. */
export type Cell = string | number | boolean | Date | null | undefined;

/** `bytes` prints a number as a size (see {@link formatBytes}). */
export type Format = 'bytes';

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  format?: Format;
  /** Printed for null/undefined (default `-`). */
  whenEmpty?: string;
}

export interface Field {
  label: string;
  value: Cell;
  format?: Format;
  whenEmpty?: string;
}

interface RenderedColumn {
  header: string;
  format?: Format;
  whenEmpty?: string;
}

export type Block =
  | {
      kind: 'table';
      title?: string;
      columns: RenderedColumn[];
      rows: Cell[][];
      /** Printed instead of an empty table (default `(none)`). */
      whenNone?: string;
    }
  | { kind: 'fields'; title?: string; fields: Field[] }
  | { kind: 'text'; text: string };

/** What a command returns: its --json value, its readable blocks, and its exit code (default 0). */
export interface Output {
  json?: unknown;
  blocks?: Block[];
  exitCode?: number;
  /**
   * Servers of the pool a pool-wide command could not reach: one line each on
   * stderr, and exit code 3 (partial) unless the command's own is not 0.
   */
  unreachable?: UnreachableServer[];
  /** What an unreachable server means for the output; default: its databases are left out. */
  leftOut?: string;
}

export function table<Row>(
  rows: readonly Row[],
  columns: Column<Row>[],
  options: { title?: string; whenNone?: string } = {},
): Block {
  return {
    kind: 'table',
    ...options,
    columns: columns.map(({ header, format, whenEmpty }) => ({ header, format, whenEmpty })),
    rows: rows.map((row) => columns.map((column) => column.value(row))),
  };
}

/** `appliedAt` → `applied at`. */
function headerFor(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * A column for every key the rows have, in first-seen order: for rows whose
 * shape may grow (a new field shows up without touching the command).
 */
export function columnsOf<Row extends object>(
  rows: readonly Row[],
  headers: Partial<Record<string, string>> = {},
): Column<Row>[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return keys.map((key) => ({
    header: headers[key] ?? headerFor(key),
    value: (row) => (row as Record<string, Cell>)[key],
  }));
}

export const fields = (list: Field[], title?: string): Block => ({
  kind: 'fields',
  title,
  fields: list,
});

export const text = (value: string): Block => ({ kind: 'text', text: value });

/** The one size format of DevDB output (provisioning/contract/units.ts); '-' when unknown. */
export const formatSize = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? '-' : formatBytes(bytes);

/** UTC to the second, the zone shown: `2025-01-31 09:15:00Z` (JSON has ISO 8601's `…T09:15:00.000Z`). */
export function formatDate(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 19)}Z`;
}

function formatCell(value: Cell, format?: Format, whenEmpty = '-'): string {
  if (value === null || value === undefined) return whenEmpty;
  if (value instanceof Date) return formatDate(value);
  if (format === 'bytes' && typeof value === 'number') return formatSize(value);
  return String(value);
}

interface Style {
  strong(text: string): string;
  /** Commands in backticks as they run here (server/invocation.ts). */
  runnable(text: string): string;
}

const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;

/** Colour only for a person at a terminal, and never when NO_COLOR is set to anything. */
export function wantsColour(io: Pick<CliIO, 'isTTY' | 'env'>): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}

const styleFor = (io: CliIO): Style => ({
  strong: wantsColour(io) ? bold : (s) => s,
  runnable: (s) => runnableText(io, s),
});

function isNumeric(column: RenderedColumn, rows: Cell[][], index: number): boolean {
  if (column.format === 'bytes') return true;
  const present = rows.map((row) => row[index]).filter((v) => v !== null && v !== undefined);
  return present.length > 0 && present.every((v) => typeof v === 'number');
}

// SGR codes (our bold); anything else outside printable ASCII goes to cli-table3.
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * cli-table3's compact grid, drawn directly when every cell is printable ASCII
 * (one column each): the same text, in linear time. cli-table3 checks every
 * cell against every earlier one for spans, ~2 s for `devdb list` at 1,000
 * databases. Null for anything else (wide or combining characters, newlines),
 * which cli-table3 measures and draws.
 */
function asciiGrid(head: string[], rows: string[][], right: boolean[]): string | null {
  const visible = head.map((h) => h.replace(SGR, ''));
  if (![visible, ...rows].every((row) => row.every((cell) => PRINTABLE_ASCII.test(cell)))) {
    return null;
  }
  const widths = visible.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const rule = (left: string, middle: string, end: string) =>
    `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${end}`;
  const line = (cells: string[], lengths: number[]) =>
    `│${cells
      .map((cell, i) => {
        const padding = ' '.repeat(widths[i]! - lengths[i]!);
        return ` ${right[i] ? padding + cell : cell + padding} `;
      })
      .join('│')}│`;
  return [
    rule('┌', '┬', '┐'),
    line(
      head,
      visible.map((h) => h.length),
    ),
    rule('├', '┼', '┤'),
    ...rows.map((row) =>
      line(
        row,
        row.map((cell) => cell.length),
      ),
    ),
    rule('└', '┴', '┘'),
  ].join('\n');
}

function renderTable(block: Extract<Block, { kind: 'table' }>, style: Style): string {
  if (block.rows.length === 0) return `${block.whenNone ?? '(none)'}\n`;
  const head = block.columns.map((c) => style.strong(c.header));
  const right = block.columns.map((c, i) => isNumeric(c, block.rows, i));
  const rows = block.rows.map((row) =>
    row.map((value, i) =>
      style.runnable(formatCell(value, block.columns[i]?.format, block.columns[i]?.whenEmpty)),
    ),
  );
  const fast = asciiGrid(head, rows, right);
  if (fast !== null) return `${fast}\n`;
  const grid = new Table({
    head,
    colAligns: right.map((r) => (r ? 'right' : 'left')),
    // compact: a rule under the header only, none between rows. Colour is ours (styleFor).
    style: { head: [], border: [], compact: true },
  });
  grid.push(...rows);
  return `${grid.toString()}\n`;
}

function renderFields(block: Extract<Block, { kind: 'fields' }>, style: Style): string {
  const width = Math.max(...block.fields.map((f) => f.label.length));
  return block.fields
    .map(
      (f) =>
        `${f.label.padEnd(width)}  ${style.runnable(formatCell(f.value, f.format, f.whenEmpty))}\n`,
    )
    .join('');
}

function renderBlock(block: Block, style: Style): string {
  const body =
    block.kind === 'table'
      ? renderTable(block, style)
      : block.kind === 'fields'
        ? renderFields(block, style)
        : style.runnable(block.text);
  return block.kind !== 'text' && block.title ? `\n${style.strong(block.title)}\n${body}` : body;
}

/**
 * Writes a command's output to stdout: its JSON value with --json, else its
 * blocks; and one line on stderr per server it could not reach.
 */
export function render(output: Output, io: CliIO, options: { json?: boolean } = {}): void {
  const leftOut = output.leftOut ?? 'its databases are left out';
  for (const server of output.unreachable ?? []) {
    io.stderr.write(`devdb: ${describeUnreachable(server)}; ${leftOut}\n`);
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(output.json ?? null, null, 2)}\n`);
    return;
  }
  const style = styleFor(io);
  for (const block of output.blocks ?? []) io.stdout.write(renderBlock(block, style));
}
