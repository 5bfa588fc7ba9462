/** `devdb size`: databases by size on every server of the pool, largest first, with the total. */
import { databaseSizes } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { rowsOf, serverColumn } from '../../pool-reads.js';
import { table } from '../../render.js';
import { ADMIN_OPTIONS, fromEachServer, type Connection } from './shared.js';

export const sizeCommand: CommandSpec<Connection> = {
  name: 'size',
  description:
    'databases by size on every server, largest first (archived ones under their archived name), with the total',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { results: perServer, unreachable } = await fromEachServer(options, io, databaseSizes);
    // As databaseSizes orders each server's: largest first, missing ones last, then by name.
    const sizes = rowsOf(perServer).sort(
      (a, b) =>
        (b.sizeBytes ?? -1) - (a.sizeBytes ?? -1) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        (a.server < b.server ? -1 : 1),
    );
    const totalBytes = sizes.reduce((n, d) => n + (d.sizeBytes ?? 0), 0);
    const snapshotBytes = sizes.reduce((n, d) => n + d.snapshotBytes, 0);
    const rows = [
      ...sizes,
      {
        name: `total (${sizes.length})`,
        server: '',
        status: null,
        sizeBytes: totalBytes,
        snapshotBytes,
      },
    ];
    const sized = table(
      rows,
      [
        { header: 'database', value: (d) => d.name },
        ...serverColumn<(typeof rows)[number]>(perServer.length + unreachable.length > 1),
        { header: 'status', value: (d) => d.status, whenEmpty: '' },
        { header: 'size', value: (d) => d.sizeBytes, format: 'bytes', whenEmpty: 'missing' },
        { header: 'snapshots', value: (d) => d.snapshotBytes, format: 'bytes' },
      ],
      { whenNone: 'no databases' },
    );
    return { json: { databases: sizes, totalBytes, snapshotBytes }, blocks: [sized], unreachable };
  },
};
