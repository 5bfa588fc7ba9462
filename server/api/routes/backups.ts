/**
 * Backups through the API (docs/backups.md): list, take one, verify one,
 * restore one into a new database or in place. The work is provisioning's
 * (provisioning/backups/: take, verify, restore, in-place); where backups go and whom they are
 * encrypted to come from the control plane's options, else the settings.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  BACKUP_STATUSES,
  checkBackupTools,
  getBackup,
  listBackups,
  readBackupSettings,
  recordEvent,
  restoreBackup,
  restoreInPlace,
  takeBackup,
  verifyBackup,
  type BackupContext,
} from '../../../provisioning/index.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import {
  backupRecord,
  databaseName,
  nameParams,
  nullable,
  object,
  page,
  paging,
  query,
  stringEnum,
  withErrors,
} from '../schemas.js';

const TAGS = ['backups'];
const idParams = object({ id: Type.Integer({ minimum: 1 }) });
const restoreResult = object({
  id: Type.Integer({ description: 'the backup restored' }),
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

export function backupRoutes(server: FastifyInstance, options: ControlPlaneOptions): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const db = options.pool;
  const context: BackupContext = { db, adminUrl: options.adminUrl };
  const identities = options.backup?.identities ?? [];

  async function destination(): Promise<{ dir: string; recipients: string[] }> {
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

  async function existing(id: number) {
    const record = await getBackup(db, id);
    if (!record) throw notFound(`backup ${id}`, 'GET /api/v1/backups lists them');
    return record;
  }

  app.route({
    method: 'GET',
    url: '/api/v1/backups',
    config: { access: 'read' },
    schema: {
      summary: 'List backups, newest first',
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
      const all = (await listBackups(db, database)).filter((b) => !status || b.status === status);
      return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/backups/status',
    config: { access: 'read' },
    schema: {
      summary:
        'Whether backups can run where DevDB runs: a pg_dump that fits the server, or what to install',
      tags: TAGS,
      response: withErrors({ 200: toolsStatus }),
    },
    async handler() {
      const { serverMajor, tools, problem } = await checkBackupTools({ db, env: options.env });
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
      response: withErrors({ 200: backupRecord }, [404]),
    },
    handler: async (request) => existing(request.params.id),
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
      const record = await takeBackup(context, {
        database: request.params.name,
        kind: 'manual',
        ...(await destination()),
      });
      await recordEvent(db, {
        actor: actorOf(request.principal),
        action: 'backup.run',
        database: record.database,
        detail: { backup_id: record.id, bytes: record.bytes },
      });
      return reply.code(201).send(record);
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
      response: withErrors(
        {
          200: object({
            id: Type.Integer(),
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
      const record = await existing(request.params.id);
      if (record.status !== 'ok') {
        throw new ApiError(
          409,
          'conflict',
          `backup ${record.id} did not complete (${record.status}): only successful backups can be verified`,
        );
      }
      const result = await verifyBackup(context, record.id, identities);
      await recordEvent(db, {
        actor: actorOf(request.principal),
        action: 'backup.verify',
        database: record.database,
        detail: { backup_id: record.id, ok: result.ok },
      });
      return result;
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
      body: object({
        mode: stringEnum(['new', 'in-place']),
        as: Type.Optional(
          databaseName('mode new: the database to create (dev_<user> or team_<team>)'),
        ),
      }),
      response: withErrors({ 200: restoreResult }, [404, 409, 413]),
    },
    async handler(request) {
      const record = await existing(request.params.id);
      const actor = actorOf(request.principal);
      if (request.body.mode === 'new') {
        return restoreBackup(context, { id: record.id, as: request.body.as, identities, actor });
      }
      if (request.body.as !== undefined) {
        throw new ApiError(
          400,
          'invalid_request',
          '`as` names a new database: leave it out with mode "in-place"',
        );
      }
      return restoreInPlace(context, {
        id: record.id,
        identities,
        actor,
        ...(await destination()),
      });
    },
  });
}
