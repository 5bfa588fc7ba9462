/**
 * Backups through the API (docs/backups.md): list, take one, verify one,
 * restore one into a new database or in place. The work is provisioning's
 * (provisioning/backups/: take, verify, restore, in-place); where backups go and whom they are
 * encrypted to come from the control plane's options, else the settings.
 *
 * Each server of the pool keeps its own backups (docs/servers.md): a backup
 * runs on its database's server, the list reads every server, and a backup is
 * named by its id on its server (`?server=`; without, the one server that has
 * that id).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  BACKUP_STATUSES,
  checkBackupTools,
  claimDatabase,
  getBackup,
  listBackups,
  readBackupSettings,
  recordEvent,
  restoreBackup,
  restoreInPlace,
  takeBackup,
  verifyBackup,
  type BackupContext,
  type RoutedServer,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { newestBackupFirst } from '../../pool-reads.js';
import { eachServer, tagged } from '../pool.js';
import {
  backupRecord,
  databaseName,
  nameParams,
  nullable,
  object,
  page,
  paging,
  query,
  serverName,
  stringEnum,
  withErrors,
} from '../schemas.js';

const TAGS = ['backups'];
const idParams = object({ id: Type.Integer({ minimum: 1 }) });
const serverQuery = query({
  server: Type.Optional(
    serverName('the server holding the backup; needed when several have one of this id'),
  ),
});
const restoreResult = object({
  id: Type.Integer({ description: 'the backup restored' }),
  server: serverName('where it was restored: the server holding the backup'),
  database: Type.String(),
  tables: Type.Integer(),
  preRestoreBackupId: Type.Optional(
    Type.Integer({ description: 'in place: the backup taken just before' }),
  ),
});

const toolsStatus = object({
  canRun: Type.Boolean({ description: 'a pg_dump/pg_restore that fits the server is here' }),
  serverMajor: Type.Integer({ description: "the server's PostgreSQL major version" }),
  pgDump: nullable(
    object(
      { path: Type.String(), major: Type.Integer() },
      { description: 'the pg_dump backups use; null: none fits' },
    ),
  ),
  problem: nullable(
    Type.String({ description: 'why backups cannot run here, and what to install' }),
  ),
});

export function backupRoutes(
  server: FastifyInstance,
  options: ControlPlaneOptions,
  router: ServerRouter,
): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const contextOf = (routed: RoutedServer): BackupContext => ({
    db: routed.db,
    adminUrl: routed.adminUrl,
  });
  const identities = options.backup?.identities ?? [];

  /** Where a backup on `db`'s server goes: the options, else that server's settings. */
  async function destination(
    db: RoutedServer['db'],
  ): Promise<{ dir: string; recipients: string[] }> {
    const settings = await readBackupSettings(db);
    const dir = options.backup?.dir ?? settings.dir;
    if (!dir) {
      throw new ApiError(
        409,
        'conflict',
        'no backup directory is configured: set backup_dir with PATCH /api/v1/settings (or `devdb backup settings --dir DIR`)',
      );
    }
    return { dir, recipients: options.backup?.recipients ?? settings.recipients };
  }

  /** Backup `id` of the server named, else of the one server that has that id. */
  async function existing(id: number, serverName?: string) {
    const read = await eachServer(
      router,
      async (routed) => ({ routed, record: await getBackup(routed.db, id) }),
      (name) => serverName === undefined || name === serverName,
    );
    const found = read.results.flatMap(({ result: { routed, record } }) =>
      record ? [{ routed, record: { ...record, server: routed.server.name } }] : [],
    );
    if (found.length > 1) {
      const names = found.map((f) => f.routed.server.name).join(', ');
      throw new ApiError(
        409,
        'conflict',
        `servers ${names} each have a backup ${id}: add ?server=NAME (GET /api/v1/backups shows each backup's server)`,
      );
    }
    if (!found[0]) {
      if (serverName !== undefined) await router.forServer(serverName); // an unknown server: 404
      const where = serverName === undefined ? '' : ` on server ${serverName}`;
      const missing = read.unreachable.map((u) => u.server);
      const hint = missing.length
        ? `servers ${missing.join(', ')} could not be asked`
        : 'GET /api/v1/backups lists them';
      throw notFound(`backup ${id}${where}`, hint);
    }
    return found[0];
  }

  app.route({
    method: 'GET',
    url: '/api/v1/backups',
    config: { access: 'read' },
    schema: {
      summary:
        'List the backups of every server of the pool, newest first (of one database: wherever it was, before a move too)',
      tags: TAGS,
      querystring: query({
        database: Type.Optional(databaseName()),
        status: Type.Optional(stringEnum(BACKUP_STATUSES)),
        ...paging,
      }),
      response: withErrors({ 200: page(backupRecord) }),
    },
    async handler(request) {
      const { database, status, limit, offset } = request.query;
      const read = await eachServer(router, ({ db }) => listBackups(db, database));
      const all = tagged(read)
        .filter((b) => !status || b.status === status)
        .sort(newestBackupFirst);
      const items = all.slice(offset, offset + limit);
      return { items, total: all.length, limit, offset, unreachable: read.unreachable };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/backups/status',
    config: { access: 'read' },
    schema: {
      summary:
        'Whether backups can run where DevDB runs: a pg_dump that fits every server of the pool (the newest major), or what to install',
      tags: TAGS,
      response: withErrors({ 200: toolsStatus }),
    },
    async handler() {
      // The rule /readyz, doctor and up's banner use (provisioning/servers/backup-tools.ts).
      const status = await checkBackupTools({ db: options.pool, env: options.env });
      const { serverMajor, tools, problem } = status;
      const pgDump = tools ? { path: tools.pgDump, major: tools.major } : null;
      return { canRun: tools !== null, serverMajor, pgDump, problem };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/backups/:id',
    config: { access: 'read' },
    schema: {
      summary: 'One backup',
      tags: TAGS,
      params: idParams,
      querystring: serverQuery,
      response: withErrors({ 200: backupRecord }, [404, 409]),
    },
    handler: async (request) => (await existing(request.params.id, request.query.server)).record,
  });

  app.route({
    method: 'POST',
    url: '/api/v1/databases/:name/backups',
    config: { access: 'write', action: 'backup.run' },
    schema: {
      summary:
        'Back up a database now (pg_dump from one snapshot; encrypted when recipients are set)',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 201: backupRecord }, [404, 409]),
    },
    async handler(request, reply) {
      const routed = await router.forDatabase(request.params.name);
      const record = await takeBackup(contextOf(routed), {
        database: request.params.name,
        kind: 'manual',
        ...(await destination(routed.db)),
      });
      await recordEvent(routed.db, {
        actor: actorOf(request.principal),
        action: 'backup.run',
        database: record.database,
        detail: { backup_id: record.id, bytes: record.bytes },
      });
      return reply.code(201).send({ ...record, server: routed.server.name });
    },
  });

  app.route({
    method: 'POST',
    url: '/api/v1/backups/:id/verify',
    config: { access: 'write', action: 'backup.verify' },
    schema: {
      summary: 'Verify a backup: checksum, then a trial restore whose row counts must match',
      tags: TAGS,
      params: idParams,
      querystring: serverQuery,
      response: withErrors(
        {
          200: object({
            id: Type.Integer(),
            server: serverName('the server holding the backup'),
            database: Type.String(),
            ok: Type.Boolean(),
            error: nullable(Type.String()),
            tables: Type.Integer(),
          }),
        },
        [404, 409],
      ),
    },
    async handler(request) {
      const { routed, record } = await existing(request.params.id, request.query.server);
      if (record.status !== 'ok') {
        throw new ApiError(
          409,
          'conflict',
          `backup ${record.id} did not complete (${record.status}): only successful backups can be verified`,
        );
      }
      const result = await verifyBackup(contextOf(routed), record.id, identities);
      await recordEvent(routed.db, {
        actor: actorOf(request.principal),
        action: 'backup.verify',
        database: record.database,
        detail: { backup_id: record.id, ok: result.ok },
      });
      return { ...result, server: routed.server.name };
    },
  });

  app.route({
    method: 'POST',
    url: '/api/v1/backups/:id/restore',
    config: { access: 'write', action: 'backup.restore' },
    schema: {
      summary:
        'Restore a backup into a new database (its own name once dropped, or `as`), or over its database in place after a pre-restore backup',
      tags: TAGS,
      params: idParams,
      querystring: serverQuery,
      body: object({
        mode: stringEnum(['new', 'in-place']),
        as: Type.Optional(
          databaseName(
            'mode new: the database to create: its own name, or a new team_<team> (never another dev_<user>)',
          ),
        ),
      }),
      response: withErrors({ 200: restoreResult }, [404, 409, 413]),
    },
    async handler(request) {
      const { routed, record } = await existing(request.params.id, request.query.server);
      const actor = actorOf(request.principal);
      const on = routed.server.name;
      if (request.body.mode === 'new') {
        // A new database, on the backup's server: its name claimed there first (docs/servers.md).
        const target = request.body.as ?? record.database;
        const holder = await claimDatabase(router.central.db, target, on);
        if (holder !== on) {
          throw new ApiError(
            409,
            'conflict',
            `database ${target} is on server ${holder}, and backup ${record.id} on server ${on}: restore it under another name with \`as\``,
          );
        }
        const restored = await restoreBackup(contextOf(routed), {
          id: record.id,
          as: request.body.as,
          identities,
          actor,
        });
        return { ...restored, server: on };
      }
      if (request.body.as !== undefined) {
        throw new ApiError(
          400,
          'invalid_request',
          '`as` names a new database: leave it out with mode "in-place"',
        );
      }
      const restored = await restoreInPlace(contextOf(routed), {
        id: record.id,
        identities,
        actor,
        ...(await destination(routed.db)),
      });
      // Never null here: the API always takes the pre-restore backup.
      return {
        ...restored,
        preRestoreBackupId: restored.preRestoreBackupId ?? undefined,
        server: on,
      };
    },
  });
}
