/** `devdb list | summary | inspect | users`: what DevDB knows, as tables or --json. */
import { inspectDatabase, listDatabases, listUsers, summarize } from '../../provisioning/index.js';
import { withAdminPool, type ConnectionOptions } from '../admin-connection.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatDate, printFields, printJson, printTable } from '../output.js';

type Options = ConnectionOptions & { json?: boolean };

export async function list(options: Options): Promise<void> {
  const databases = await withAdminPool(options, listDatabases);
  if (options.json) return printJson(databases);
  printTable(
    [
      'database',
      'type',
      'owner / team',
      'status',
      'workspaces',
      'users',
      'size',
      'last accessed',
      'idle days',
    ],
    databases.map((d) => [
      d.name,
      d.type,
      d.owner ?? d.team ?? '-',
      d.status,
      d.activeAttachments,
      d.users,
      formatBytes(d.sizeBytes),
      formatDate(d.lastAccessed),
      d.idleDays,
    ]),
  );
}

export async function summary(options: Options): Promise<void> {
  const s = await withAdminPool(options, summarize);
  if (options.json) return printJson(s);
  printFields([
    ['databases', s.databases],
    ['  individual', s.byType.individual ?? 0],
    ['  team', s.byType.team ?? 0],
    ['  active', s.byStatus.active ?? 0],
    ['  archived', s.byStatus.archived ?? 0],
    ['attached workspaces', s.activeAttachments],
    ['users', s.users],
    ['total size', formatBytes(s.totalSizeBytes)],
    ['never accessed', s.neverAccessed],
    ['idle 30+ days', s.idleOver30Days],
  ]);
}

export async function inspect(options: Options & { name: string }): Promise<void> {
  const detail = await withAdminPool(options, (pool) => inspectDatabase(pool, options.name));
  if (!detail) {
    throw new UsageError(
      `no DevDB database named ${JSON.stringify(options.name)}; \`devdb list\` shows them`,
    );
  }
  if (options.json) return printJson(detail);
  const d = detail.database;
  printFields([
    ['database', d.name],
    ['type', d.type],
    [d.type === 'team' ? 'team' : 'owner', d.team ?? d.owner ?? '-'],
    ['status', d.status],
    ['size', formatBytes(d.sizeBytes)],
    ['created', formatDate(d.createdAt)],
    ['last accessed', formatDate(d.lastAccessed)],
  ]);
  process.stdout.write('\nUsers\n');
  printTable(
    ['username', 'access', 'since'],
    detail.users.map((u) => [u.username, u.accessLevel, formatDate(u.grantedAt)]),
  );
  process.stdout.write('\nWorkspaces\n');
  printTable(
    ['workspace id', 'name', 'owner', 'login role', 'attached', 'detached', 'last seen'],
    detail.attachments.map((a) => [
      a.workspaceId,
      a.workspaceName ?? '-',
      a.owner,
      a.user,
      formatDate(a.attachedAt),
      a.detachedAt ? formatDate(a.detachedAt) : '-',
      formatDate(a.lastSeenAt),
    ]),
  );
  process.stdout.write('\nRecent events\n');
  printTable(
    ['at', 'actor', 'action', 'workspace'],
    detail.recentEvents.map((e) => [formatDate(e.at), e.actor, e.action, e.workspaceId ?? '-']),
  );
}

export async function users(options: Options): Promise<void> {
  const rows = await withAdminPool(options, listUsers);
  if (options.json) return printJson(rows);
  printTable(
    ['username', 'databases', 'owned', 'teams', 'attached workspaces'],
    rows.map((u) => [u.username, u.databases.join(', '), u.owned, u.teams, u.activeAttachments]),
  );
}
