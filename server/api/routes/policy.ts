/**
 * The admin side over HTTP (docs/api.md, "Policy, orphans and cleanup"): each
 * database's policy state, protection, live sessions (list, terminate), the
 * orphans queue (Coder asked as `devdb orphans` asks it) and cleanup (the plan;
 * running it, every drop through a verified final backup). Each route calls
 * the same function as its CLI command.
 */
import type { FastifyInstance } from 'fastify';
import {
  CLEANUP_ACTIONS,
  DATABASE_STATUSES,
  executeCleanupPlan,
  listConnections,
  ORPHAN_KINDS,
  planCleanup,
  POLICY_AUTO_ACTIONS,
  POLICY_STATES,
  policyStates,
  protectDatabase,
  readPolicySettings,
  recordEvent,
  terminateSessions,
  unprotectDatabase,
  withCleanupLock,
  writePolicySettings,
  type PolicySettingsChange,
} from '../../../provisioning/index.js';
import { maskedWebhook } from '../../commands/policy/policy.js';
import { coderClientFor, resolveCoderAccess } from '../../coder/config.js';
import { UserError } from '../../errors.js';
import { findOrphans } from '../../orphans/index.js';
import {
  closeCoder,
  coderSource,
  finalBackupDropDatabase,
  POLICY_WIRING,
  type CoderSource,
} from '../../policy-wiring.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError } from '../errors.js';
import {
  body,
  dateTime,
  nameParams,
  nullable,
  nullableDateTime,
  object,
  oneOf,
  withErrors,
} from '../schemas.js';

const TAGS = ['policy'];

const policyState = object({
  database: { type: 'string' },
  status: oneOf(DATABASE_STATUSES),
  state: oneOf(POLICY_STATES),
  timeState: nullable('string'),
  protected: { type: 'boolean' },
  protectedUntil: nullableDateTime,
  protectReason: nullable('string'),
  lastAccess: dateTime,
  lastAccessed: nullableDateTime,
  idleDays: { type: 'integer' },
  liveAttachments: { type: 'integer' },
  archivedAt: nullableDateTime,
  dropDueAt: nullableDateTime,
  dropDue: { type: 'boolean' },
});

const policySettings = object({
  idleDays: { type: 'integer', description: 'days without access before idle (30)' },
  staleDays: { type: 'integer', description: '… before stale (60)' },
  eligibleDays: { type: 'integer', description: '… before eligible for cleanup (90)' },
  archiveRetentionDays: {
    type: 'integer',
    description: 'days an archive is kept before cleanup drops it (30)',
  },
  webhookUrl: nullable('string', { description: 'its origin only: the path is the secret' }),
  autoAction: {
    ...oneOf(POLICY_AUTO_ACTIONS),
    description:
      "what devdb serve's policy job does on its own: notify (the default), archive, archive-and-drop",
  },
});

const policySettingsChange = {
  ...body({
    idleDays: nullable('integer'),
    staleDays: nullable('integer'),
    eligibleDays: nullable('integer'),
    archiveRetentionDays: nullable('integer'),
    webhookUrl: nullable('string', { maxLength: 2048 }),
    autoAction: { type: ['string', 'null'], enum: [...POLICY_AUTO_ACTIONS, null] },
  }),
  minProperties: 1,
};

const session = object({
  database: { type: 'string' },
  user: { type: 'string' },
  sessions: { type: 'integer' },
  active: { type: 'integer' },
  idle: { type: 'integer' },
  idleInTransaction: { type: 'integer' },
  oldestSince: nullableDateTime,
});

const finding = object({
  kind: oneOf(ORPHAN_KINDS),
  database: nullable('string'),
  owner: nullable('string'),
  workspaceId: nullable('string'),
  loginRole: nullable('string'),
  lastAccess: nullableDateTime,
  status: { type: 'string' },
  detail: { type: 'string' },
});

const cleanupAction = object(
  {
    kind: oneOf(CLEANUP_ACTIONS),
    database: { type: 'string' },
    workspaceId: { type: 'string' },
    reason: { type: 'string' },
  },
  ['workspaceId'],
);

const cleanupPlan = {
  now: dateTime,
  actions: { type: 'array', items: cleanupAction },
  skipped: {
    type: 'array',
    items: object(
      { database: { type: 'string' }, workspaceId: { type: 'string' }, reason: { type: 'string' } },
      ['workspaceId'],
    ),
  },
  coder: nullable('string', {
    description: 'what Coder confirmed deleted, or why no workspace is detached',
  }),
};

const cleanupResult = object(
  {
    action: cleanupAction,
    outcome: { type: 'string', enum: ['done', 'skipped', 'failed'] },
    detail: { type: 'string' },
  },
  ['detail'],
);

export function policyRoutes(app: FastifyInstance, options: ControlPlaneOptions): void {
  const db = options.pool;
  const env = options.env ?? process.env;

  /** Coder as the process has it (CODER_URL, CODER_SESSION_TOKEN, the coder_url setting). */
  async function withCoder<T>(fn: (coder: CoderSource) => Promise<T>): Promise<T> {
    const coder = await coderSource({}, { env }, db);
    try {
      return await fn(coder);
    } finally {
      await closeCoder(coder);
    }
  }

  /** Cleanup's plan with the workspaces Coder confirmed deleted (as `devdb cleanup` makes it). */
  async function planWithCoder(coder: CoderSource) {
    const deleted = await POLICY_WIRING.deletedWorkspaces(db, coder);
    return planCleanup(db, { deletedWorkspaces: deleted.attachments, coder: deleted.note });
  }

  app.route<{ Querystring: { database?: string } }>({
    method: 'GET',
    url: '/api/v1/policy',
    config: { access: 'read' },
    schema: {
      summary: "Every database's state in the 30/60/90 policy (active … eligible, archived)",
      tags: TAGS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { database: { type: 'string', maxLength: 63 } },
      },
      response: withErrors({ 200: object({ items: { type: 'array', items: policyState } }) }),
    },
    handler: async (request) => ({
      items: await policyStates(db, { database: request.query.database }),
    }),
  });

  const publicSettings = async () => {
    const settings = await readPolicySettings(db);
    return { ...settings, webhookUrl: maskedWebhook(settings.webhookUrl) };
  };

  app.route({
    method: 'GET',
    url: '/api/v1/policy/settings',
    config: { access: 'read' },
    schema: {
      summary:
        "The policy's thresholds, archive retention, webhook (its origin) and what devdb serve does on its own",
      tags: TAGS,
      response: withErrors({ 200: policySettings }),
    },
    handler: publicSettings,
  });

  app.route<{ Body: PolicySettingsChange }>({
    method: 'PATCH',
    url: '/api/v1/policy/settings',
    config: { access: 'write', action: 'policy.settings' },
    schema: {
      summary:
        'Change policy settings (null restores the default); the thresholds must stay idle < stale < eligible',
      tags: TAGS,
      body: policySettingsChange,
      response: withErrors({ 200: policySettings }, [413]),
    },
    async handler(request) {
      await writePolicySettings(db, request.body);
      const settings = await publicSettings();
      const changed = Object.keys(request.body);
      await recordEvent(db, {
        actor: actorOf(request.principal),
        action: 'policy.settings',
        detail: Object.fromEntries(
          changed.map((key) => [key, settings[key as keyof typeof settings]]),
        ),
      });
      return settings;
    },
  });

  app.route<{ Params: { name: string }; Body: { reason?: string; until?: string } }>({
    method: 'PUT',
    url: '/api/v1/databases/:name/protection',
    config: { access: 'write', action: 'database.protect' },
    schema: {
      summary: 'Protect a database from the policy and cleanup (until a time, or until removed)',
      tags: TAGS,
      params: nameParams,
      body: body({
        reason: { type: 'string', maxLength: 500 },
        until: dateTime,
      }),
      response: withErrors({ 200: policyState }, [404, 409, 413]),
    },
    async handler(request) {
      const { name } = request.params;
      await protectDatabase(db, {
        database: name,
        reason: request.body.reason ?? null,
        until: request.body.until ? new Date(request.body.until) : null,
        actor: actorOf(request.principal),
      });
      const [state] = await policyStates(db, { database: name });
      return state;
    },
  });

  app.route<{ Params: { name: string } }>({
    method: 'DELETE',
    url: '/api/v1/databases/:name/protection',
    config: { access: 'write', action: 'database.unprotect' },
    schema: {
      summary: 'End the protection: the policy applies again',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: object({ removed: { type: 'boolean' } }) }, [404]),
    },
    handler: async (request) => ({
      removed: await unprotectDatabase(db, {
        database: request.params.name,
        actor: actorOf(request.principal),
      }),
    }),
  });

  app.route<{ Params: { name: string } }>({
    method: 'GET',
    url: '/api/v1/databases/:name/sessions',
    config: { access: 'read' },
    schema: {
      summary: 'Live client sessions in the database, per user',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: object({ items: { type: 'array', items: session } }) }),
    },
    handler: async (request) => ({
      items: await listConnections(db, { database: request.params.name }),
    }),
  });

  app.route<{ Params: { name: string }; Querystring: { user?: string } }>({
    method: 'DELETE',
    url: '/api/v1/databases/:name/sessions',
    config: { access: 'write', action: 'database.terminate_sessions' },
    schema: {
      summary: "End the database's client sessions (one login role's, with ?user=)",
      tags: TAGS,
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { user: { type: 'string', maxLength: 63 } },
      },
      response: withErrors(
        { 200: object({ terminated: { type: 'integer' }, leftRunning: { type: 'integer' } }) },
        [404, 409],
      ),
    },
    handler: async (request) =>
      terminateSessions(db, {
        database: request.params.name,
        user: request.query.user,
        actor: actorOf(request.principal),
      }),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/orphans',
    config: { access: 'read' },
    schema: {
      summary:
        'The orphans queue: databases whose workspace or owner is gone from Coder, unused ones, what the registry does not know (changes nothing)',
      tags: TAGS,
      response: withErrors(
        {
          200: object({
            findings: { type: 'array', items: finding },
            skipped: {
              type: 'array',
              items: object({ kind: oneOf(ORPHAN_KINDS), reason: { type: 'string' } }),
            },
          }),
        },
        [503],
      ),
    },
    async handler() {
      const access = await resolveCoderAccess({}, { env }, db).catch(coderUnavailable);
      const coder = coderClientFor(access);
      try {
        return await findOrphans(db, {
          coder,
          skippedReason: access.configured ? undefined : access.reason,
        }).catch(coderUnavailable);
      } finally {
        await coder?.close();
      }
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/cleanup',
    config: { access: 'read' },
    schema: {
      summary: 'What cleanup would do now (the dry run): archive, detach, drop, and what it skips',
      tags: TAGS,
      response: withErrors({ 200: object(cleanupPlan) }),
    },
    handler: async () => withCoder((coder) => planWithCoder(coder)),
  });

  app.route({
    method: 'POST',
    url: '/api/v1/cleanup',
    config: { access: 'write', action: 'cleanup.run' },
    schema: {
      summary:
        'Run cleanup now: archives, then drops past retention, each drop after a verified final backup (409 while another cleanup runs)',
      tags: TAGS,
      response: withErrors(
        { 200: object({ ...cleanupPlan, results: { type: 'array', items: cleanupResult } }) },
        [409],
      ),
    },
    async handler(request) {
      // One cleanup at a time (the CLI's, the policy job's): busy is a 409 saying whose.
      return withCleanupLock(db, { wait: false, what: 'cleanup (API)' }, async () => {
        const plan = await withCoder((coder) => planWithCoder(coder));
        const results = await executeCleanupPlan(db, plan, {
          dropDatabase: finalBackupDropDatabase({ db, adminUrl: options.adminUrl, env }),
          actor: actorOf(request.principal),
        });
        return { ...plan, results };
      });
    },
  });
}

/** Coder half-configured or not answering (CoderError is a UserError): the admin fixes the server's environment. */
function coderUnavailable(error: unknown): never {
  if (error instanceof UserError) {
    throw new ApiError(503, 'coder_unavailable', (error as Error).message);
  }
  throw error;
}
