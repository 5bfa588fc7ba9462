/**
 * /api/v1/summary, /api/v1/events (the audit trail, paged by id) and
 * /api/v1/settings (known keys only, validated).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  EVENTS_LIMIT_MAX,
  KNOWN_SETTINGS,
  listEvents,
  readSettings,
  summarize,
  updateSettings,
} from '../../../provisioning/index.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import {
  auditEvent,
  databaseName,
  itemsOf,
  nullable,
  object,
  query,
  requestDateTime,
  settingValue,
  summary,
  withErrors,
} from '../schemas.js';

/**
 * A PATCH of settings: any of the known keys, at least one; null restores the
 * default. Written out rather than with query()/object(): its keys come from
 * KNOWN_SETTINGS, and the document has minProperties before properties.
 */
const settingsPatch = Type.Unsafe<Record<string, string | number | null>>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    KNOWN_SETTINGS.map((s) => [
      s.key,
      { type: ['string', 'integer', 'null'], description: s.description },
    ]),
  ),
});

export function adminRoutes(server: FastifyInstance, options: ControlPlaneOptions): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const db = options.pool;

  app.route({
    method: 'GET',
    url: '/api/v1/summary',
    config: { access: 'read' },
    schema: {
      summary: 'Totals: databases by type and status, workspaces, users, size',
      tags: ['databases'],
      response: withErrors({ 200: summary }),
    },
    handler: async () => summarize(db),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/events',
    config: { access: 'read' },
    schema: {
      summary: 'The audit trail, newest first; the next page passes beforeId = nextBeforeId',
      tags: ['events'],
      querystring: query({
        since: Type.Optional(requestDateTime),
        database: Type.Optional(databaseName()),
        limit: Type.Integer({ minimum: 1, maximum: EVENTS_LIMIT_MAX, default: 100 }),
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: withErrors({
        200: object({
          items: Type.Array(auditEvent),
          nextBeforeId: nullable(Type.Integer({ description: 'null on the last page' })),
        }),
      }),
    },
    async handler(request) {
      const { since, database, limit, beforeId } = request.query;
      const items = await listEvents(db, {
        since: since === undefined ? undefined : new Date(since),
        database,
        limit,
        beforeId,
      });
      const nextBeforeId = items.length === limit ? items.at(-1)!.id : null;
      return { items, nextBeforeId };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/settings',
    config: { access: 'read' },
    schema: {
      summary: 'Every setting an admin may change, with its value and default',
      tags: ['settings'],
      response: withErrors({ 200: itemsOf(settingValue) }),
    },
    handler: async () => ({ items: await readSettings(db) }),
  });

  app.route({
    method: 'PATCH',
    url: '/api/v1/settings',
    config: { access: 'write', action: 'settings.update' },
    schema: {
      summary: 'Change settings (null restores the default); all or nothing',
      tags: ['settings'],
      body: settingsPatch,
      response: withErrors({ 200: itemsOf(settingValue) }, [413]),
    },
    handler: async (request) => ({
      items: await updateSettings(db, request.body, { actor: actorOf(request.principal) }),
    }),
  });
}
