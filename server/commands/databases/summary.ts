/** `devdb summary`: the pool's totals, each server's counts added up. */
import type pg from 'pg';
import { listUsers, summarize, type Summary } from '../../../provisioning/index.js';
import type { CommandSpec } from '../../command.js';
import { fields } from '../../render.js';
import { ADMIN_OPTIONS, fromEachServer, type Connection } from './shared.js';

export const summaryCommand: CommandSpec<Connection> = {
  name: 'summary',
  description: 'totals',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { results, unreachable } = await fromEachServer(options, io, summarizeWithUsers);
    const s = addUp(results);
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
      { label: 'never accessed', value: s.neverAccessed },
      { label: 'idle 30+ days', value: s.idleOver30Days },
    ]);
    return { json: s, blocks: [totals], unreachable };
  },
};

/** A server's summary and its users' names (a user may have databases on several servers). */
async function summarizeWithUsers(db: pg.Pool) {
  const users = await listUsers(db);
  return { summary: await summarize(db), users: users.map((u) => u.username) };
}

/** The pool's summary: each server's counts added up, users counted once. */
function addUp(perServer: { result: Awaited<ReturnType<typeof summarizeWithUsers>> }[]): Summary {
  const summaries = perServer.map(({ result }) => result.summary);
  const sum = (of: (s: Summary) => number) => summaries.reduce((n, s) => n + of(s), 0);
  const sumEach = <K extends string>(of: (s: Summary) => Record<K, number>) =>
    Object.fromEntries(
      (Object.keys(of(summaries[0]!)) as K[]).map((key) => [key, sum((s) => of(s)[key])]),
    ) as Record<K, number>;
  return {
    databases: sum((s) => s.databases),
    byType: sumEach((s) => s.byType),
    byStatus: sumEach((s) => s.byStatus),
    activeAttachments: sum((s) => s.activeAttachments),
    users: new Set(perServer.flatMap(({ result }) => result.users)).size,
    totalSizeBytes: sum((s) => s.totalSizeBytes),
    neverAccessed: sum((s) => s.neverAccessed),
    idleOver30Days: sum((s) => s.idleOver30Days),
  };
}
