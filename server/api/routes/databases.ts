/**
 * /api/v1/databases: list, get, create (with a credential shown once), stats,
 * attachments, connections on/off, archive, restore from the archive, slow
 * queries. Each route calls one provisioning function, on the server of the
 * pool that holds the database (a new one placed first); the list reads every
 * server (server/api/pool.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  AlreadyAttachedError,
  attachWorkspace,
  databaseStats,
  DATABASE_SORT_KEYS,
  DATABASE_STATUSES,
  DATABASE_TYPES,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  individualDatabaseName,
  inspectDatabase,
  listAttachments,
  listSamples,
  PG_STAT_STATEMENTS_HOWTO,
  restoreDatabase,
  retireDatabase,
  searchDatabases,
  setDatabaseConnections,
  slowQueries,
  slowQueriesAvailable,
  teamDatabaseName,
  WORKSPACE_ACCESS,
  type RoutedServer,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { optionalSeedName } from '../../../provisioning/contract/index.js';
import { actorOf } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { eachServer, tagged } from '../pool.js';
import {
  attachment,
  credential,
  databaseDetail,
  databaseListItem,
  databaseRow,
  databaseStats as databaseStatsSchema,
  itemsOf,
  nameParams,
  nullable,
  object,
  page,
  paging,
  query,
  sample,
  stringEnum,
  withErrors,
} from '../schemas.js';

const TAGS = ['databases'];
const unknownDatabase = (name: string) =>
  notFound(
    `database ${JSON.stringify(name)}`,
    'GET /api/v1/databases lists the databases DevDB knows',
  );

const createBody = object({
  type: stringEnum(DATABASE_TYPES),
  owner: Type.Optional(Type.String({ description: 'Coder username (individual databases)' })),
  ownerId: Type.Optional(Type.String({ description: "the owner's Coder user id" })),
  team: Type.Optional(Type.String({ description: 'team name (team databases)' })),
  seedFrom: Type.Optional(
    Type.String({ description: 'a database to copy when this creates the database' }),
  ),
  credential: Type.Optional(
    object({
      workspaceId: Type.String(),
      workspaceName: Type.Optional(Type.String()),
      template: Type.Optional(Type.String()),
      access: Type.Optional(stringEnum(WORKSPACE_ACCESS)),
      owner: Type.Optional(
        Type.String({ description: 'whose credential, for a team database (Coder username)' }),
      ),
    }),
  ),
});

const ensuredProperties = {
  database: databaseRow,
  created: Type.Boolean(),
  repaired: Type.Array(Type.String()),
};

export function databaseRoutes(server: FastifyInstance, router: ServerRouter): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  /** The server holding the database named in the path (the central one for a name never placed). */
  const serverOf = (name: string) => router.forDatabase(name);

  app.route({
    method: 'GET',
    url: '/api/v1/databases',
    config: { access: 'read' },
    schema: {
      summary: 'List databases: filtered, sorted, one page at a time, with the total',
      tags: TAGS,
      querystring: query({
        type: Type.Optional(stringEnum(DATABASE_TYPES)),
        owner: Type.Optional(Type.String({ maxLength: 64 })),
        team: Type.Optional(Type.String({ maxLength: 64 })),
        status: Type.Optional(stringEnum(DATABASE_STATUSES)),
        search: Type.Optional(
          Type.String({ maxLength: 63, description: 'part of the database name' }),
        ),
        sort: stringEnum(DATABASE_SORT_KEYS, { default: 'name' }),
        order: stringEnum(['asc', 'desc'], { default: 'asc' }),
        ...paging,
      }),
      response: withErrors({
        200: page(databaseListItem, {
          description: 'databases matching the filters, over all pages',
        }),
      }),
    },
    async handler(request) {
      const { limit, offset } = request.query;
      // One server: its page as it is. Several: the first offset + limit of each, merged.
      let merged = false;
      const read = await eachServer(router, ({ db }, servers) => {
        merged = servers > 1;
        const search = merged
          ? { ...request.query, offset: 0, limit: offset + limit }
          : request.query;
        return searchDatabases(db, search);
      });
      const rows = tagged({
        ...read,
        results: read.results.map(({ server, result }) => ({ server, result: result.items })),
      });
      const order = databaseOrder(request.query.sort, request.query.order);
      const items = merged ? rows.sort(order).slice(offset, offset + limit) : rows;
      const total = read.results.reduce((n, { result }) => n + result.total, 0);
      return { items, total, limit, offset, unreachable: read.unreachable };
    },
  });

  app.route({
    method: 'POST',
    url: '/api/v1/databases',
    config: { access: 'write', action: 'database.create' },
    schema: {
      summary:
        'Create (or ensure) an individual or team database; with `credential`, also a login for one workspace, shown once',
      tags: TAGS,
      body: createBody,
      response: withErrors(
        {
          200: object(ensuredProperties),
          201: object({ ...ensuredProperties, credential: Type.Optional(credential) }),
        },
        [409, 413],
      ),
    },
    async handler(request, reply) {
      const input = request.body;
      const actor = actorOf(request.principal);
      // Placed first (docs/servers.md): the name is the pool's before anything is made.
      const routed = await router.forDatabase(createdName(input), {
        place: true,
        seed: optionalSeedName(input.seedFrom),
      });
      const { db } = routed;
      const ensured = input.credential
        ? await attachForCreate(input, routed, actor)
        : input.type === 'team'
          ? {
              ...(await ensureTeamDatabase(db, {
                team: input.team!,
                actor,
                seedFrom: input.seedFrom,
              })),
              credential: undefined,
            }
          : {
              ...(await ensureIndividualDatabase(db, {
                owner: input.owner!,
                ownerId: input.ownerId,
                actor,
                seedFrom: input.seedFrom,
              })),
              credential: undefined,
            };
      const detail = await inspectDatabase(db, ensured.name);
      const response = {
        database: { ...detail!.database, server: routed.server.name },
        created: ensured.created,
        repaired: ensured.repaired,
        credential: ensured.credential,
      };
      void reply.header('Cache-Control', 'no-store');
      return reply.code(ensured.created || ensured.credential ? 201 : 200).send(response);
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name',
    config: { access: 'read' },
    schema: {
      summary: 'One database: users, attachments, recent events',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: databaseDetail }, [404]),
    },
    async handler(request) {
      const routed = await serverOf(request.params.name);
      const detail = await inspectDatabase(routed.db, request.params.name);
      if (!detail) throw unknownDatabase(request.params.name);
      return { ...detail, database: { ...detail.database, server: routed.server.name } };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/stats',
    config: { access: 'read' },
    schema: {
      summary: "A database's live numbers: size, connections, sessions, last access, state",
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: databaseStatsSchema }, [404]),
    },
    async handler(request) {
      const { db } = await serverOf(request.params.name);
      const stats = await databaseStats(db, request.params.name);
      if (!stats) throw unknownDatabase(request.params.name);
      return stats;
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/samples',
    config: { access: 'read' },
    schema: {
      summary:
        "The sampler's samples of a database, oldest first (size, client sessions open, counters): its trends over the last `days`",
      tags: TAGS,
      params: nameParams,
      querystring: query({
        days: Type.Integer({ minimum: 1, maximum: 366, default: 7 }),
      }),
      response: withErrors({ 200: itemsOf(sample) }, [404]),
    },
    async handler(request) {
      const { name } = request.params;
      const { db } = await serverOf(name);
      const items = await listSamples(db, name, { days: request.query.days });
      return { items: items.map(({ database: _, ...rest }) => rest) };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/attachments',
    config: { access: 'read' },
    schema: {
      summary: "A database's workspace attachments, live and detached",
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: itemsOf(attachment) }, [404]),
    },
    async handler(request) {
      const { db } = await serverOf(request.params.name);
      const stats = await databaseStats(db, request.params.name);
      if (!stats) throw unknownDatabase(request.params.name);
      return { items: await listAttachments(db, request.params.name) };
    },
  });

  app.route({
    method: 'PUT',
    url: '/api/v1/databases/:name/connections',
    config: { access: 'write', action: 'database.connections' },
    schema: {
      summary: 'Allow or refuse new connections to a database (closing can also end its sessions)',
      tags: TAGS,
      params: nameParams,
      body: object({
        allowed: Type.Boolean(),
        terminate: Type.Optional(
          Type.Boolean({
            description: 'when refusing: end the sessions in it too',
            default: false,
          }),
        ),
      }),
      response: withErrors(
        {
          200: object({
            name: Type.String(),
            connectionsAllowed: Type.Boolean(),
            changed: Type.Boolean(),
            sessionsTerminated: Type.Integer(),
          }),
        },
        [404, 409, 413],
      ),
    },
    handler: async (request) =>
      setDatabaseConnections((await serverOf(request.params.name)).db, {
        database: request.params.name,
        allow: request.body.allowed,
        terminate: request.body.terminate,
        actor: actorOf(request.principal),
      }),
  });

  app.route({
    method: 'POST',
    url: '/api/v1/databases/:name/archive',
    config: { access: 'write', action: 'database.archive' },
    schema: {
      summary: 'Archive a database no workspace is attached to: renamed, closed, restorable',
      tags: TAGS,
      params: nameParams,
      response: withErrors(
        {
          200: object({
            name: Type.String(),
            action: stringEnum(['archived', 'kept'], { description: 'kept: it was not active' }),
          }),
        },
        [404, 409],
      ),
    },
    async handler(request) {
      const { db } = await serverOf(request.params.name);
      const action = await retireDatabase(db, {
        database: request.params.name,
        policy: 'archive',
        actor: actorOf(request.principal),
      });
      // With policy 'archive' the database is archived, or kept when it was not active.
      return { name: request.params.name, action: action as 'archived' | 'kept' };
    },
  });

  app.route({
    method: 'POST',
    url: '/api/v1/databases/:name/restore',
    config: { access: 'write', action: 'database.restore' },
    schema: {
      summary:
        'Bring an archived database back under its name (backups restore under /api/v1/backups)',
      tags: TAGS,
      params: nameParams,
      response: withErrors(
        {
          200: object({
            name: Type.String(),
            restored: Type.Boolean({ description: 'false: it was not archived' }),
          }),
        },
        [404, 409],
      ),
    },
    handler: async (request) =>
      restoreDatabase((await serverOf(request.params.name)).db, request.params.name, {
        actor: actorOf(request.principal),
      }),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/slow-queries',
    config: { access: 'read' },
    schema: {
      summary: "A database's statements with the highest mean time (pg_stat_statements)",
      tags: TAGS,
      params: nameParams,
      querystring: query({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }),
      response: withErrors(
        {
          200: object({
            available: Type.Boolean(),
            howToEnable: Type.Optional(Type.String()),
            items: Type.Array(
              object({
                query: Type.String(),
                role: nullable(Type.String()),
                calls: Type.Number(),
                meanMs: Type.Number(),
                totalMs: Type.Number(),
                rows: Type.Number(),
              }),
            ),
          }),
        },
        [404],
      ),
    },
    async handler(request) {
      const { db } = await serverOf(request.params.name);
      if (!(await databaseStats(db, request.params.name)))
        throw unknownDatabase(request.params.name);
      if (!(await slowQueriesAvailable(db))) {
        return { available: false, howToEnable: PG_STAT_STATEMENTS_HOWTO, items: [] };
      }
      return { available: true, items: await slowQueries(db, request.params.name, request.query) };
    },
  });
}

/**
 * The database a create makes or ensures: dev_<owner> or team_<team>, the name
 * placed on a server before anything is made (an invalid name is a 400).
 */
function createdName(input: Static<typeof createBody>): string {
  if (input.type === 'team') return teamDatabaseName(input.team);
  if (input.owner === undefined) {
    throw new ApiError(
      400,
      'invalid_request',
      'owner is missing: an individual database belongs to a Coder username',
    );
  }
  return individualDatabaseName(input.owner);
}

/** Create with a credential: attach the workspace (which ensures the database) on its server. */
async function attachForCreate(
  input: Static<typeof createBody>,
  routed: RoutedServer,
  actor: string,
) {
  const cred = input.credential!;
  const owner = input.type === 'individual' ? input.owner : cred.owner;
  if (owner === undefined) {
    throw new ApiError(
      400,
      'invalid_request',
      'credential.owner is missing: a team credential belongs to a member (a Coder username)',
    );
  }
  const { db, endpoint } = routed;
  try {
    const attached = await attachWorkspace(db, endpoint, {
      type: input.type,
      owner,
      ownerId: input.ownerId,
      team: input.team,
      workspaceId: cred.workspaceId,
      workspaceName: cred.workspaceName,
      template: cred.template,
      access: cred.access,
      seedFrom: input.seedFrom,
      actor,
      ifAttached: 'refuse',
    });
    return {
      name: attached.name,
      created: attached.createdDatabase,
      repaired: [] as string[],
      credential: {
        workspaceId: cred.workspaceId,
        user: attached.user,
        password: attached.password,
        host: attached.host,
        port: attached.port,
        url: attached.url,
        ...(endpoint.sslmode ? { sslmode: endpoint.sslmode } : {}),
        access: attached.access,
        env: attached.env,
      },
    };
  } catch (error) {
    if (error instanceof AlreadyAttachedError) {
      throw new ApiError(
        409,
        'conflict',
        `workspace ${error.workspaceId} is already attached to ${error.database}: its credential was shown when it was created; use another workspace id for a new credential`,
      );
    }
    throw error;
  }
}

/**
 * The list's order over several servers, as searchDatabases sorts each one
 * (ascending with nulls first, descending with nulls last, then by name),
 * then by server: an archived copy left by a move is listed beside the database.
 */
export function databaseOrder(sort: (typeof DATABASE_SORT_KEYS)[number], order: 'asc' | 'desc') {
  type Row = { name: string; server: string; sizeBytes: number | null } & Record<
    'createdAt' | 'lastAccessed',
    Date | string | null
  >;
  const key = (row: Row): number | string | null => {
    if (sort === 'name') return row.name;
    if (sort === 'size') return row.sizeBytes;
    const at = row[sort];
    return at === null ? null : new Date(at).getTime();
  };
  const compare = (x: number | string | null, y: number | string | null) =>
    x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
  const direction = order === 'desc' ? -1 : 1;
  return (a: Row, b: Row) =>
    direction * compare(key(a), key(b)) || compare(a.name, b.name) || compare(a.server, b.server);
}
