/**
 * /api/v1/summary, /api/v1/events (the audit trail, paged by id) and
 * /api/v1/settings (known keys only, validated).
 */
import type { FastifyInstance } from 'fastify';
import {
  DATABASE_STATUSES,
  DATABASE_TYPES,
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
  dateTime,
  databaseName,
  object,
  settingValue,
  withErrors,
  type Schema,
} from '../schemas.js';

const counts = (keys: readonly string[]): Schema =>
  object(Object.fromEntries(keys.map((key) => [key, { type: 'integer' }])));

export function adminRoutes(app: FastifyInstance, options: ControlPlaneOptions): void {
  const db = options.pool;

  app.route({
    method: 'GET',
    url: '/api/v1/summary',
    config: { access: 'read' },
    schema: {
      summary: 'Totals: databases by type and status, workspaces, users, size',
      tags: ['databases'],
      response: withErrors({
        200: object({
          databases: { type: 'integer' },
          byType: counts(DATABASE_TYPES),
          byStatus: counts(DATABASE_STATUSES),
          activeAttachments: { type: 'integer' },
          users: { type: 'integer' },
          totalSizeBytes: { type: 'number' },
          neverAccessed: { type: 'integer' },
          idleOver30Days: { type: 'integer' },
        }),
      }),
    },
    handler: async () => summarize(db),
  });

  app.route<{
    Querystring: { since?: string; database?: string; limit: number; beforeId?: number };
  }>({
    method: 'GET',
    url: '/api/v1/events',
    config: { access: 'read' },
    schema: {
      summary: 'The audit trail, newest first; the next page passes beforeId = nextBeforeId',
      tags: ['events'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: dateTime,
          database: databaseName,
          limit: { type: 'integer', minimum: 1, maximum: EVENTS_LIMIT_MAX, default: 100 },
          beforeId: { type: 'integer', minimum: 1 },
        },
      },
      response: withErrors({
        200: object({
          items: { type: 'array', items: auditEvent },
          nextBeforeId: { type: ['integer', 'null'], description: 'null on the last page' },
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
      response: withErrors({ 200: object({ items: { type: 'array', items: settingValue } }) }),
    },
    handler: async () => ({ items: await readSettings(db) }),
  });

  app.route<{ Body: Record<string, string | number | null> }>({
    method: 'PATCH',
    url: '/api/v1/settings',
    config: { access: 'write', action: 'settings.update' },
    schema: {
      summary: 'Change settings (null restores the default); all or nothing',
      tags: ['settings'],
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: Object.fromEntries(
          KNOWN_SETTINGS.map((s) => [
            s.key,
            { type: ['string', 'integer', 'null'], description: s.description },
          ]),
        ),
      },
      response: withErrors(
        { 200: object({ items: { type: 'array', items: settingValue } }) },
        [413],
      ),
    },
    handler: async (request) => ({
      items: await updateSettings(db, request.body, { actor: actorOf(request.principal) }),
    }),
  });
}
