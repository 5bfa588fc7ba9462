/**
 * Snapshots through the API (docs/snapshots.md): list them (every server, or
 * one database's, on its server), restore a database to one, delete one.
 * Workspaces take them themselves (devdb-agent); the dashboard's database page
 * reads the same list (server/dashboard/pages/database-snapshots.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  deleteSnapshot,
  listSnapshots,
  restoreSnapshot,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { actorOf } from '../context.js';
import { eachServer, tagged } from '../pool.js';
import {
  databaseName,
  dateTime,
  nameParams,
  object,
  serverName,
  unreachable,
  withErrors,
} from '../schemas.js';

const TAGS = ['snapshots'];
const snapshot = object({
  database: Type.String(),
  name: Type.String(),
  createdAt: dateTime,
  sizeBytes: Type.Integer(),
  createdBy: Type.String({ description: 'the login role (workspace) or admin that took it' }),
  server: Type.Optional(serverName()),
});
const snapshotParams = object({
  name: databaseName(),
  snapshot: Type.String({ minLength: 1, maxLength: 40 }),
});

export function snapshotRoutes(server: FastifyInstance, router: ServerRouter): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    method: 'GET',
    url: '/api/v1/snapshots',
    config: { access: 'read' },
    schema: {
      summary: 'List the snapshots on every server of the pool, by database, oldest first',
      tags: TAGS,
      response: withErrors({ 200: object({ items: Type.Array(snapshot), unreachable }) }),
    },
    async handler() {
      const read = await eachServer(router, ({ db }) => listSnapshots(db));
      return { items: tagged(read), unreachable: read.unreachable };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/snapshots',
    config: { access: 'read' },
    schema: {
      summary: "A database's snapshots, oldest first",
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: object({ items: Type.Array(snapshot) }) }, [404]),
    },
    async handler(request) {
      const routed = await router.forDatabase(request.params.name);
      const items = await listSnapshots(routed.db, request.params.name);
      return { items: items.map((s) => ({ ...s, server: routed.server.name })) };
    },
  });

  app.route({
    method: 'POST',
    url: '/api/v1/databases/:name/snapshots/:snapshot/restore',
    config: { access: 'write', action: 'database.snapshot_restore' },
    schema: {
      summary:
        'Put a database back to one of its snapshots under the same name, owner, grants and attachments (its sessions are ended)',
      tags: TAGS,
      params: snapshotParams,
      response: withErrors(
        {
          200: object({
            database: Type.String(),
            restoredFrom: Type.String(),
            sessionsEnded: Type.Integer(),
          }),
        },
        [404, 409],
      ),
    },
    async handler(request) {
      const { name, snapshot: snapshotName } = request.params;
      const routed = await router.forDatabase(name);
      const done = await restoreSnapshot(routed.db, {
        database: name,
        name: snapshotName,
        actor: actorOf(request.principal),
      });
      return {
        database: done.database,
        restoredFrom: done.restored_from,
        sessionsEnded: done.sessions_ended.length,
      };
    },
  });

  app.route({
    method: 'DELETE',
    url: '/api/v1/databases/:name/snapshots/:snapshot',
    config: { access: 'write', action: 'database.snapshot_delete' },
    schema: {
      summary: 'Delete one snapshot of a database',
      tags: TAGS,
      params: snapshotParams,
      response: withErrors(
        {
          200: object({
            database: Type.String(),
            snapshot: Type.String(),
            deleted: Type.Boolean(),
          }),
        },
        [404, 409],
      ),
    },
    async handler(request) {
      const { name, snapshot: snapshotName } = request.params;
      const routed = await router.forDatabase(name);
      await deleteSnapshot(routed.db, {
        database: name,
        name: snapshotName,
        actor: actorOf(request.principal),
      });
      return { database: name, snapshot: snapshotName, deleted: true };
    },
  });
}
