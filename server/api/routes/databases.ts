/**
 * /api/v1/databases: list, get, create (with a credential shown once), stats,
 * attachments, connections on/off, archive, restore from the archive, slow
 * queries. Each route calls one provisioning function.
 */
import type { FastifyInstance } from 'fastify';
import {
  AlreadyAttachedError,
  attachWorkspace,
  databaseStats,
  DATABASE_STATUSES,
  DATABASE_TYPES,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  inspectDatabase,
  listAttachments,
  PG_STAT_STATEMENTS_HOWTO,
  restoreDatabase,
  retireDatabase,
  searchDatabases,
  setDatabaseConnections,
  slowQueries,
  slowQueriesAvailable,
  WORKSPACE_ACCESS,
  workspaceEndpoint,
  type DatabaseSearch,
  type DatabaseType,
  type WorkspaceAccess,
} from '../../../provisioning/index.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import {
  attachment,
  body,
  credential,
  databaseDetail,
  databaseListItem,
  databaseRow,
  databaseSort,
  databaseStats as databaseStatsSchema,
  nameParams,
  nullable,
  object,
  paging,
  withErrors,
} from '../schemas.js';

const TAGS = ['databases'];
const unknownDatabase = (name: string) =>
  notFound(
    `database ${JSON.stringify(name)}`,
    'GET /api/v1/databases lists the databases DevDB knows',
  );

interface CreateBody {
  type: DatabaseType;
  owner?: string;
  ownerId?: string;
  team?: string;
  seedFrom?: string;
  credential?: {
    workspaceId: string;
    workspaceName?: string;
    template?: string;
    access?: WorkspaceAccess;
    owner?: string;
  };
}

export function databaseRoutes(app: FastifyInstance, options: ControlPlaneOptions): void {
  const db = options.pool;
  const endpoint = options.endpoint ?? workspaceEndpoint(options.adminUrl);

  app.route<{
    Querystring: Omit<DatabaseSearch, 'limit' | 'offset'> & { limit: number; offset: number };
  }>({
    method: 'GET',
    url: '/api/v1/databases',
    config: { access: 'read' },
    schema: {
      summary: 'List databases: filtered, sorted, one page at a time, with the total',
      tags: TAGS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          type: { type: 'string', enum: [...DATABASE_TYPES] },
          owner: { type: 'string', maxLength: 64 },
          team: { type: 'string', maxLength: 64 },
          status: { type: 'string', enum: [...DATABASE_STATUSES] },
          search: { type: 'string', maxLength: 63, description: 'part of the database name' },
          sort: { ...databaseSort, default: 'name' },
          order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
          ...paging,
        },
      },
      response: withErrors({
        200: object({
          items: { type: 'array', items: databaseListItem },
          total: { type: 'integer', description: 'databases matching the filters, over all pages' },
          limit: { type: 'integer' },
          offset: { type: 'integer' },
        }),
      }),
    },
    async handler(request) {
      const page = await searchDatabases(db, request.query);
      return { ...page, limit: request.query.limit, offset: request.query.offset };
    },
  });

  app.route<{ Body: CreateBody }>({
    method: 'POST',
    url: '/api/v1/databases',
    config: { access: 'write', action: 'database.create' },
    schema: {
      summary:
        'Create (or ensure) an individual or team database; with `credential`, also a login for one workspace, shown once',
      tags: TAGS,
      body: body(
        {
          type: { type: 'string', enum: [...DATABASE_TYPES] },
          owner: { type: 'string', description: 'Coder username (individual databases)' },
          ownerId: { type: 'string', description: "the owner's Coder user id" },
          team: { type: 'string', description: 'team name (team databases)' },
          seedFrom: {
            type: 'string',
            description: 'a database to copy when this creates the database',
          },
          credential: body(
            {
              workspaceId: { type: 'string' },
              workspaceName: { type: 'string' },
              template: { type: 'string' },
              access: { type: 'string', enum: [...WORKSPACE_ACCESS] },
              owner: {
                type: 'string',
                description: 'whose credential, for a team database (Coder username)',
              },
            },
            ['workspaceId'],
          ),
        },
        ['type'],
      ),
      response: withErrors(
        {
          200: object({
            database: databaseRow,
            created: { type: 'boolean' },
            repaired: { type: 'array', items: { type: 'string' } },
          }),
          201: object(
            {
              database: databaseRow,
              created: { type: 'boolean' },
              repaired: { type: 'array', items: { type: 'string' } },
              credential,
            },
            ['credential'],
          ),
        },
        [409, 413],
      ),
    },
    async handler(request, reply) {
      const input = request.body;
      const actor = actorOf(request.principal);
      const ensured = input.credential
        ? await attachForCreate(input, endpoint, db, actor)
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
        database: detail!.database,
        created: ensured.created,
        repaired: ensured.repaired,
        credential: ensured.credential,
      };
      void reply.header('Cache-Control', 'no-store');
      return reply.code(ensured.created || ensured.credential ? 201 : 200).send(response);
    },
  });

  app.route<{ Params: { name: string } }>({
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
      const detail = await inspectDatabase(db, request.params.name);
      if (!detail) throw unknownDatabase(request.params.name);
      return detail;
    },
  });

  app.route<{ Params: { name: string } }>({
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
      const stats = await databaseStats(db, request.params.name);
      if (!stats) throw unknownDatabase(request.params.name);
      return stats;
    },
  });

  app.route<{ Params: { name: string } }>({
    method: 'GET',
    url: '/api/v1/databases/:name/attachments',
    config: { access: 'read' },
    schema: {
      summary: "A database's workspace attachments, live and detached",
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: object({ items: { type: 'array', items: attachment } }) }, [404]),
    },
    async handler(request) {
      const stats = await databaseStats(db, request.params.name);
      if (!stats) throw unknownDatabase(request.params.name);
      return { items: await listAttachments(db, request.params.name) };
    },
  });

  app.route<{ Params: { name: string }; Body: { allowed: boolean; terminate?: boolean } }>({
    method: 'PUT',
    url: '/api/v1/databases/:name/connections',
    config: { access: 'write', action: 'database.connections' },
    schema: {
      summary: 'Allow or refuse new connections to a database (closing can also end its sessions)',
      tags: TAGS,
      params: nameParams,
      body: body(
        {
          allowed: { type: 'boolean' },
          terminate: {
            type: 'boolean',
            description: 'when refusing: end the sessions in it too',
            default: false,
          },
        },
        ['allowed'],
      ),
      response: withErrors(
        {
          200: object({
            name: { type: 'string' },
            connectionsAllowed: { type: 'boolean' },
            changed: { type: 'boolean' },
            sessionsTerminated: { type: 'integer' },
          }),
        },
        [404, 409, 413],
      ),
    },
    handler: async (request) =>
      setDatabaseConnections(db, {
        database: request.params.name,
        allow: request.body.allowed,
        terminate: request.body.terminate,
        actor: actorOf(request.principal),
      }),
  });

  app.route<{ Params: { name: string } }>({
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
            name: { type: 'string' },
            action: {
              type: 'string',
              enum: ['archived', 'kept'],
              description: 'kept: it was not active',
            },
          }),
        },
        [404, 409],
      ),
    },
    async handler(request) {
      const action = await retireDatabase(db, {
        database: request.params.name,
        policy: 'archive',
        actor: actorOf(request.principal),
      });
      return { name: request.params.name, action };
    },
  });

  app.route<{ Params: { name: string } }>({
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
            name: { type: 'string' },
            restored: { type: 'boolean', description: 'false: it was not archived' },
          }),
        },
        [404, 409],
      ),
    },
    handler: async (request) =>
      restoreDatabase(db, request.params.name, { actor: actorOf(request.principal) }),
  });

  app.route<{ Params: { name: string }; Querystring: { limit: number } }>({
    method: 'GET',
    url: '/api/v1/databases/:name/slow-queries',
    config: { access: 'read' },
    schema: {
      summary: "A database's statements with the highest mean time (pg_stat_statements)",
      tags: TAGS,
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
      },
      response: withErrors(
        {
          200: object(
            {
              available: { type: 'boolean' },
              howToEnable: { type: 'string' },
              items: {
                type: 'array',
                items: object({
                  query: { type: 'string' },
                  role: nullable('string'),
                  calls: { type: 'number' },
                  meanMs: { type: 'number' },
                  totalMs: { type: 'number' },
                  rows: { type: 'number' },
                }),
              },
            },
            ['howToEnable'],
          ),
        },
        [404],
      ),
    },
    async handler(request) {
      if (!(await databaseStats(db, request.params.name)))
        throw unknownDatabase(request.params.name);
      if (!(await slowQueriesAvailable(db))) {
        return { available: false, howToEnable: PG_STAT_STATEMENTS_HOWTO, items: [] };
      }
      return { available: true, items: await slowQueries(db, request.params.name, request.query) };
    },
  });
}

/** Create with a credential: attach the workspace (which ensures the database). */
async function attachForCreate(
  input: CreateBody,
  endpoint: ReturnType<typeof workspaceEndpoint>,
  db: ControlPlaneOptions['pool'],
  actor: string,
) {
  const cred = input.credential!;
  const owner = input.type === 'individual' ? input.owner : cred.owner;
  if (owner === undefined) {
    throw new ApiError(
      400,
      'invalid_request',
      input.type === 'individual'
        ? 'owner is missing: an individual database belongs to a Coder username'
        : 'credential.owner is missing: a team credential belongs to a member (a Coder username)',
    );
  }
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
