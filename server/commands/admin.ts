/** `devdb list | summary | inspect | users | size | events`: what DevDB knows, as tables or --json. */
import type pg from 'pg';
import {
  databaseSizes,
  inspectDatabase,
  listDatabases,
  listEvents,
  listUsers,
  policyStates,
  summarize,
  type DatabaseDetail,
  type EventRecord,
  type PolicyStateRow,
  type Summary,
} from '../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  withAdminPool,
  withEachServer,
  withServerOf,
  type ConnectionOptions,
} from '../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';
import { UserError } from '../errors.js';
import type { CliIO } from '../io.js';
import { fields, table, type Block, type Output } from '../render.js';
import { positiveCount, sinceValue } from '../values.js';
import { protectionText } from './policy.js';

type Options = Omit<ConnectionOptions, 'env'>;

const ADMIN_OPTIONS = [...CONNECTION_OPTIONS, JSON_OPTION];

/** Runs `query` on the server the options and environment point at. */
function fromServer<T>(options: Options, io: CliIO, query: (pool: pg.Pool) => Promise<T>) {
  return withAdminPool({ ...options, env: io.env }, query);
}

/** Runs `query` on every server of the pool (docs/servers.md), the central one first. */
const fromEachServer = <T>(options: Options, io: CliIO, query: (db: pg.Pool) => Promise<T>) =>
  withEachServer({ ...options, env: io.env }, query);

export const listCommand: CommandSpec<Options> = {
  name: 'list',
  description: 'list databases (on every server of the pool)',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const perServer = await fromEachServer(options, io, listDatabases);
    const databases = perServer
      .flatMap(({ server, result }) => result.map((d) => ({ ...d, server })))
      .sort((a, b) => a.name.localeCompare(b.name) || a.server.localeCompare(b.server));
    const manyServers = perServer.length > 1;
    const rows = table(databases, [
      { header: 'database', value: (d) => d.name },
      ...(manyServers ? [{ header: 'server', value: (d: { server: string }) => d.server }] : []),
      { header: 'type', value: (d) => d.type },
      { header: 'owner / team', value: (d) => d.owner ?? d.team },
      { header: 'status', value: (d) => d.status },
      { header: 'policy', value: (d) => d.policyState },
      { header: 'workspaces', value: (d) => d.activeAttachments },
      { header: 'users', value: (d) => d.users },
      { header: 'size', value: (d) => d.sizeBytes, format: 'bytes' },
      { header: 'last accessed', value: (d) => d.lastAccessed, whenEmpty: 'never' },
      { header: 'idle days', value: (d) => d.idleDays, whenEmpty: 'never' },
    ]);
    return { json: databases, blocks: [rows] };
  },
};

export const summaryCommand: CommandSpec<Options> = {
  name: 'summary',
  description: 'totals',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const s = addUp(await fromEachServer(options, io, summarizeWithUsers));
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
    return { json: s, blocks: [totals] };
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

function detailBlocks(detail: DatabaseDetail, policy: PolicyStateRow | undefined): Block[] {
  const d = detail.database;
  return [
    fields([
      { label: 'database', value: d.name },
      { label: 'type', value: d.type },
      { label: d.type === 'team' ? 'team' : 'owner', value: d.team ?? d.owner },
      { label: 'status', value: d.status },
      { label: 'policy', value: d.policyState },
      { label: 'protected', value: policy ? protectionText(policy) : null, whenEmpty: 'no' },
      ...(policy?.dropDueAt ? [{ label: 'drop due', value: policy.dropDueAt }] : []),
      { label: 'size', value: d.sizeBytes, format: 'bytes' },
      { label: 'created', value: d.createdAt },
      { label: 'last accessed', value: d.lastAccessed, whenEmpty: 'never' },
    ]),
    table(
      detail.users,
      [
        { header: 'username', value: (u) => u.username },
        { header: 'access', value: (u) => u.accessLevel },
        { header: 'since', value: (u) => u.grantedAt },
      ],
      { title: 'Users' },
    ),
    table(
      detail.attachments,
      [
        { header: 'workspace id', value: (a) => a.workspaceId },
        { header: 'name', value: (a) => a.workspaceName },
        { header: 'owner', value: (a) => a.owner },
        { header: 'login role', value: (a) => a.user },
        { header: 'attached', value: (a) => a.attachedAt },
        { header: 'detached', value: (a) => a.detachedAt },
        { header: 'last seen', value: (a) => a.lastSeenAt, whenEmpty: 'never' },
      ],
      { title: 'Workspaces' },
    ),
    table(
      detail.recentEvents,
      [
        { header: 'at', value: (e) => e.at },
        { header: 'actor', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'workspace', value: (e) => e.workspaceId },
      ],
      { title: 'Recent events' },
    ),
  ];
}

export const inspectCommand: CommandSpec<Options & { name: string }> = {
  name: 'inspect',
  description: 'one database: users, workspaces, recent events',
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: ADMIN_OPTIONS,
  async run(options, io): Promise<Output> {
    const [detail, [policy]] = await withServerOf(
      { ...options, env: io.env },
      options.name,
      (pool) =>
        Promise.all([
          inspectDatabase(pool, options.name),
          policyStates(pool, { database: options.name }),
        ]),
    );
    if (!detail) {
      throw new UserError(
        `no DevDB database named ${JSON.stringify(options.name)}; \`devdb list\` shows them`,
      );
    }
    return { json: { ...detail, policy }, blocks: detailBlocks(detail, policy) };
  },
};

export const usersCommand: CommandSpec<Options> = {
  name: 'users',
  description: 'list users and their databases',
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const users = await fromServer(options, io, listUsers);
    const rows = table(users, [
      { header: 'username', value: (u) => u.username },
      { header: 'databases', value: (u) => u.databases.join(', ') },
      { header: 'owned', value: (u) => u.owned },
      { header: 'teams', value: (u) => u.teams },
      { header: 'attached workspaces', value: (u) => u.activeAttachments },
    ]);
    return { json: users, blocks: [rows] };
  },
};

export const sizeCommand: CommandSpec<Options> = {
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

function eventDetail(event: EventRecord): string {
  const text = JSON.stringify(event.detail);
  return text === '{}' ? '' : text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

export const eventsCommand: CommandSpec<
  Options & { since?: Date; db?: string; limit?: number; beforeId?: number }
> = {
  name: 'events',
  description: 'the audit trail, newest first',
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--since <when>',
      description: 'a duration back from now (30m, 12h, 7d, 2w) or a date (2025-01-31)',
      parse: (value) => sinceValue(value),
    },
    { flags: '--db <name>', description: "only this database's events" },
    { flags: '--limit <n>', description: 'at most this many (default 100)', parse: positiveCount },
    {
      flags: '--before-id <id>',
      description: 'older than this event id (the next page)',
      parse: positiveCount,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const events = await fromServer(options, io, (pool) =>
      listEvents(pool, {
        since: options.since,
        database: options.db,
        limit: options.limit,
        beforeId: options.beforeId,
      }),
    );
    const rows = table(
      events,
      [
        { header: 'id', value: (e) => e.id },
        { header: 'at', value: (e) => e.at },
        { header: 'actor', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'database', value: (e) => e.database },
        { header: 'workspace', value: (e) => e.workspaceId },
        { header: 'detail', value: eventDetail },
      ],
      { whenNone: 'no events' },
    );
    return { json: events, blocks: [rows] };
  },
};
