/** `devdb summary`: the pool's totals, each server's counts added up. */
import type { CommandSpec } from '../../command.js';
import { addUpSummaries, summarizeWithUsers } from '../../pool-reads.js';
import { fields } from '../../render.js';
import { ADMIN_OPTIONS, fromEachServer, type Connection } from './shared.js';

export const summaryCommand: CommandSpec<Connection> = {
  name: 'summary',
  description: 'totals',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { results, unreachable } = await fromEachServer(options, io, summarizeWithUsers);
    const s = addUpSummaries(results);
    // Each breakdown lists every value, so each adds up to the total.
    const breakdown = (counts: Record<string, number>) =>
      Object.entries(counts).map(([label, value]) => ({ label: `  ${label}`, value }));
    const totals = fields([
      { label: 'databases', value: s.databases },
      ...breakdown(s.byType),
      ...breakdown(s.byStatus),
      { label: 'attached workspaces', value: s.activeAttachments },
      { label: 'users', value: s.users },
      { label: 'total size', value: s.totalSizeBytes, format: 'bytes' },
      { label: 'snapshots', value: s.snapshots },
      { label: 'snapshot size', value: s.snapshotBytes, format: 'bytes' },
      { label: 'never accessed', value: s.neverAccessed },
      { label: 'idle 30+ days', value: s.idleOver30Days },
    ]);
    return { json: s, blocks: [totals], unreachable };
  },
};
