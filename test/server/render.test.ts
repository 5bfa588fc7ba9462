import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { columnsOf, fields, formatSize, render, table, text } from '../../server/render.js';
import { captureIO } from '../helpers/cli-io.js';

const rows = [
  { name: 'dev_alice', sizeBytes: 7_759_462, workspaces: 3, lastAccessed: null },
  {
    name: 'team_web',
    sizeBytes: 512,
    workspaces: 12,
    lastAccessed: new Date(Date.UTC(2025, 0, 31, 9, 15)),
  },
];
const listTable = table(rows, [
  { header: 'database', value: (r) => r.name },
  { header: 'size', value: (r) => r.sizeBytes, format: 'bytes' },
  { header: 'workspaces', value: (r) => r.workspaces },
  { header: 'last accessed', value: (r) => r.lastAccessed, whenEmpty: 'never' },
]);

function rendered(options: Parameters<typeof captureIO>[0] = {}, json = false): string {
  const io = captureIO(options);
  render({ json: rows, blocks: [listTable] }, io, { json });
  return io.stdoutText();
}

describe('renderer', () => {
  it('draws a table with a rule under the header only, numbers and sizes right-aligned, times with their zone', () => {
    expect(rendered()).toBe(
      [
        '┌───────────┬─────────┬────────────┬──────────────────────┐',
        '│ database  │    size │ workspaces │ last accessed        │',
        '├───────────┼─────────┼────────────┼──────────────────────┤',
        '│ dev_alice │ 7.4 MiB │          3 │ never                │',
        '│ team_web  │   512 B │         12 │ 2025-01-31 09:15:00Z │',
        '└───────────┴─────────┴────────────┴──────────────────────┘',
        '',
      ].join('\n'),
    );
  });

  it('uses colour only on a terminal without NO_COLOR', () => {
    expect(rendered({ isTTY: false })).not.toContain('\x1b[');
    expect(rendered({ isTTY: true, env: { NO_COLOR: '1' } })).not.toContain('\x1b[');
    expect(rendered({ isTTY: true, env: { NO_COLOR: '' } })).toContain('\x1b[1mdatabase\x1b[22m');
    const coloured = rendered({ isTTY: true });
    expect(coloured).toContain('\x1b[1mdatabase\x1b[22m');
    expect(coloured.replaceAll('\x1b[1m', '').replaceAll('\x1b[22m', '')).toBe(rendered());
  });

  it('prints the JSON value with --json, dates as ISO strings', () => {
    expect(JSON.parse(rendered({ isTTY: true }, true))).toEqual([
      { name: 'dev_alice', sizeBytes: 7_759_462, workspaces: 3, lastAccessed: null },
      {
        name: 'team_web',
        sizeBytes: 512,
        workspaces: 12,
        lastAccessed: '2025-01-31T09:15:00.000Z',
      },
    ]);
  });

  it('formats sizes in IEC units, one decimal', () => {
    expect([0, 1023, 1024, 1536, 7_759_462, 5 * 1024 ** 3, null].map(formatSize)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '7.4 MiB',
      '5.0 GiB',
      '-',
    ]);
  });

  it('makes a column of every field rows have, so new fields need no code', () => {
    const status = [
      { version: 1, file: '001_init.sql', state: 'applied', appliedAt: null, kind: 'numbered' },
      { version: 2, file: '002_more.sql', state: 'pending', appliedAt: null, kind: 'numbered' },
    ];
    const io = captureIO();
    render({ blocks: [table(status, columnsOf(status, { file: 'migration' }))] }, io);
    expect(io.stdoutText().split('\n')[1]).toBe(
      '│ version │ migration    │ state   │ applied at │ kind     │',
    );
  });

  it('prints fields aligned, text as is, and (none) for an empty table', () => {
    const io = captureIO();
    render(
      {
        blocks: [
          fields([
            { label: 'database', value: 'dev_alice' },
            { label: 'total size', value: 2048, format: 'bytes' },
          ]),
          table([], [{ header: 'x', value: () => 1 }], { title: 'Users' }),
          text('done\n'),
        ],
      },
      io,
    );
    expect(io.stdoutText()).toBe(
      'database    dev_alice\ntotal size  2.0 KiB\n\nUsers\n(none)\ndone\n',
    );
  });

  it('draws ASCII tables as cli-table3 does (directly: linear at 1,000 rows), and others through it', () => {
    const words = ['', 'a', 'dev_alice', '-', 'never', '12 MiB', 'x y', '2025-01-31 09:15:00', '|'];
    let seed = 7;
    const pick = <T>(list: T[]) =>
      list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length]!;
    const cases = [
      ...Array.from({ length: 30 }, (_, n) => ({
        columns: Array.from({ length: 1 + (n % 4) }, (_c, i) => `col${i}${pick(['', ' x'])}`),
        rows: Array.from({ length: 1 + (n % 5) }, () => [
          pick(words),
          pick(words),
          pick(words),
          pick(words),
        ]),
      })),
      {
        columns: ['owner', 'n'],
        rows: [
          ['jürgen', '1'],
          ['山田', '22'],
        ],
      },
    ];
    for (const { columns, rows } of cases) {
      for (const isTTY of [false, true]) {
        const io = captureIO({ isTTY });
        const width = columns.length;
        render(
          {
            blocks: [
              table(
                rows.map((r) => r.slice(0, width)),
                columns.map((header, i) => ({ header, value: (r: string[]) => r[i] })),
              ),
            ],
          },
          io,
        );
        const grid = new Table({
          head: columns.map((c) => (isTTY ? `\x1b[1m${c}\x1b[22m` : c)),
          colAligns: columns.map(() => 'left'),
          style: { head: [], border: [], compact: true },
        });
        grid.push(...rows.map((r) => r.slice(0, width)));
        expect(io.stdoutText()).toBe(`${grid.toString()}\n`);
      }
    }
  });
});
