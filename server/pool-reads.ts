/**
 * Reads over the server pool (docs/servers.md) that the CLI and the REST API
 * put together the same way: each server's rows with its name, the pool's
 * summary from each server's, and each server's audit trail merged newest first.
 */
import { listUsers, summarize, type Queryable, type Summary } from '../provisioning/index.js';
import type { Column } from './render.js';

/** Each server's rows in one list, the server's name on every row. */
export function rowsOf<T extends object>(
  perServer: { server: string; result: T[] }[],
): (T & { server: string })[] {
  return perServer.flatMap(({ server, result }) => result.map((row) => ({ ...row, server })));
}

/** Backups of several servers newest first (as listBackups orders one server's), then by server. */
export function newestBackupFirst(
  a: { startedAt: Date; server: string; id: number },
  b: { startedAt: Date; server: string; id: number },
): number {
  const byServer = a.server < b.server ? -1 : a.server > b.server ? 1 : 0;
  return b.startedAt.getTime() - a.startedAt.getTime() || byServer || b.id - a.id;
}

/** A table's `server` column when its rows come from several servers; none from one. */
export function serverColumn<Row extends { server: string }>(many: boolean): Column<Row>[] {
  return many ? [{ header: 'server', value: (row) => row.server }] : [];
}

/** A server's summary and its users' names (a user may have databases on several servers). */
export async function summarizeWithUsers(db: Queryable) {
  const users = await listUsers(db);
  return { summary: await summarize(db), users: users.map((u) => u.username) };
}

export type ServerSummary = Awaited<ReturnType<typeof summarizeWithUsers>>;

/** The pool's summary: each server's counts added up, users counted once. */
export function addUpSummaries(perServer: { result: ServerSummary }[]): Summary {
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
    snapshots: sum((s) => s.snapshots),
    snapshotBytes: sum((s) => s.snapshotBytes),
    neverAccessed: sum((s) => s.neverAccessed),
    idleOver30Days: sum((s) => s.idleOver30Days),
  };
}

/**
 * Each server's events (newest first by id, as listEvents gives them) in one
 * list, newest first by time, ties by server name. Each server's own order is
 * kept, so what is taken of each is a prefix: its next page starts after it.
 */
export function newestFirst<E extends { at: Date; server: string }>(lists: E[][]): E[] {
  const heads = lists.map(() => 0);
  const merged: E[] = [];
  for (;;) {
    let pick = -1;
    lists.forEach((list, i) => {
      const head = list[heads[i]!];
      if (!head) return;
      const best = pick < 0 ? undefined : lists[pick]![heads[pick]!]!;
      const newer =
        !best ||
        head.at.getTime() > best.at.getTime() ||
        (head.at.getTime() === best.at.getTime() && head.server < best.server);
      if (newer) pick = i;
    });
    if (pick < 0) return merged;
    merged.push(lists[pick]![heads[pick]!++]!);
  }
}
