/** `devdb size`: databases by size, largest first, with the total. */
import { databaseSizes } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { table } from '../../render.js';
import { ADMIN_OPTIONS, fromServer, type Connection } from './shared.js';

export const sizeCommand: CommandSpec<Connection> = {
  name: 'size',
  description:
    'databases by size, largest first (archived ones under their archived name), with the total',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const sizes = await fromServer(options, io, databaseSizes);
    const totalBytes = sizes.reduce((n, d) => n + (d.sizeBytes ?? 0), 0);
    const rows = [
      ...sizes.map((d) => ({ name: d.name, status: d.status, sizeBytes: d.sizeBytes })),
      { name: `total (${sizes.length})`, status: null, sizeBytes: totalBytes },
    ];
    const sized = table(
      rows,
      [
        { header: 'database', value: (d) => d.name },
        { header: 'status', value: (d) => d.status, whenEmpty: '' },
        { header: 'size', value: (d) => d.sizeBytes, format: 'bytes', whenEmpty: 'missing' },
      ],
      { whenNone: 'no databases' },
    );
    return { json: { databases: sizes, totalBytes }, blocks: [sized] };
  },
};
