/**
 * The admin side over HTTP (docs/api.md, "Policy, orphans and cleanup"): each
 * database's policy state, protection, live sessions (list, terminate), the
 * orphans queue (Coder asked as `devdb orphans` asks it) and cleanup (the plan;
 * running it, every drop through a verified final backup). Each route calls
 * the same function as its CLI command, as it does over the server pool
 * (docs/servers.md): a database's on its server, the lists, orphans and cleanup
 * on every server, a change of the settings written on each.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  listConnections,
  ORPHAN_KINDS,
  readPolicySettings,
  recordEvent,
  writePolicySettings,
  policyStates,
  protectDatabase,
  terminateSessions,
  unprotectDatabase,
  type PolicySettingsChange,
  type Queryable,
  type ServerRouter,
} from '../../../provisioning/index.js';
import { coderClientFor, resolveCoderAccess } from '../../coder/config.js';
import { UserError } from '../../errors.js';
import { findOrphans } from '../../coder/orphans.js';
import { closeCoder, coderSource, type CoderSource } from '../../policy-wiring.js';
import { cleanUpPool, planAll } from '../../cleanup-pool.js';
import { maskedWebhook } from '../../commands/policy/policy.js';
import { actorOf, type ControlPlaneOptions } from '../context.js';
import { ApiError } from '../errors.js';
import { eachServer, everyServer, tagged } from '../pool.js';
import {
  cleanupPlan,
  cleanupPlanProperties,
  cleanupResult,
  itemsOf,
  nameParams,
  object,
  orphanFinding,
  policySettings,
  policySettingsChange,
  policyState,
  query,
  requestDateTime,
  sessionGroup,
  stringEnum,
  unreachable,
  withErrors,
} from '../schemas.js';

const TAGS = ['policy'];

/** The policy settings as the API shows them: the webhook by its origin only. */
async function publicPolicySettings(db: Queryable) {
  const settings = await readPolicySettings(db);
  return { ...settings, webhookUrl: maskedWebhook(settings.webhookUrl) };
}

/**
 * Changes the policy settings on every server of the pool (each applies the
 * policy to the databases it holds), checked together (idle < stale <
 * eligible), and records one `policy.settings` event naming what changed.
 */
export async function changePolicySettings(
  router: ServerRouter,
  change: PolicySettingsChange,
  actor: string,
): Promise<void> {
  await everyServer(router, async (routed) => {
    await writePolicySettings(routed.db, change);
  });
  const settings = await publicPolicySettings(router.central.db);
  await recordEvent(router.central.db, {
    actor,
    action: 'policy.settings',
    detail: Object.fromEntries(
      Object.keys(change).map((key) => [key, settings[key as keyof typeof settings]]),
    ),
  });
}

export function policyRoutes(
  server: FastifyInstance,
  options: ControlPlaneOptions,
  router: ServerRouter,
): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const db = options.pool;
  const env = options.env ?? process.env;
  /** The server holding the database named in the path. */
  const dbOf = async (name: string) => (await router.forDatabase(name)).db;

  /** Coder as the process has it (CODER_URL, CODER_SESSION_TOKEN, the coder_url setting). */
  async function withCoder<T>(fn: (coder: CoderSource) => Promise<T>): Promise<T> {
    const coder = await coderSource({}, { env }, db);
    try {
      return await fn(coder);
    } finally {
      await closeCoder(coder);
    }
  }

  const publicSettings = () => publicPolicySettings(db);

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

  app.route({
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
      await changePolicySettings(router, request.body, actorOf(request.principal));
      return publicSettings();
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/policy',
    config: { access: 'read' },
    schema: {
      summary:
        "Every database's state in the 30/60/90 policy (active … eligible, archived), on every server of the pool",
      tags: TAGS,
      querystring: query({ database: Type.Optional(Type.String({ maxLength: 63 })) }),
      response: withErrors({ 200: object({ items: Type.Array(policyState), unreachable }) }),
    },
    async handler(request) {
      const { database } = request.query;
      // One database: on its server (an archived copy a move left elsewhere is not it).
      const only = database === undefined ? null : (await router.forDatabase(database)).server.name;
      const read = await eachServer(
        router,
        ({ db }) => policyStates(db, { database }),
        (name) => only === null || name === only,
      );
      return { items: tagged(read), unreachable: read.unreachable };
    },
  });

  app.route({
    method: 'PUT',
    url: '/api/v1/databases/:name/protection',
    config: { access: 'write', action: 'database.protect' },
    schema: {
      summary: 'Protect a database from the policy and cleanup (until a time, or until removed)',
      tags: TAGS,
      params: nameParams,
      body: object({
        reason: Type.Optional(Type.String({ maxLength: 500 })),
        until: Type.Optional(requestDateTime),
      }),
      response: withErrors({ 200: policyState }, [404, 409, 413]),
    },
    async handler(request) {
      const { name } = request.params;
      const routed = await router.forDatabase(name);
      await protectDatabase(routed.db, {
        database: name,
        reason: request.body.reason ?? null,
        until: request.body.until ? new Date(request.body.until) : null,
        actor: actorOf(request.principal),
      });
      const [state] = await policyStates(routed.db, { database: name });
      return { ...state!, server: routed.server.name };
    },
  });

  app.route({
    method: 'DELETE',
    url: '/api/v1/databases/:name/protection',
    config: { access: 'write', action: 'database.unprotect' },
    schema: {
      summary: 'End the protection: the policy applies again',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: object({ removed: Type.Boolean() }) }, [404]),
    },
    handler: async (request) => ({
      removed: await unprotectDatabase(await dbOf(request.params.name), {
        database: request.params.name,
        actor: actorOf(request.principal),
      }),
    }),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/databases/:name/sessions',
    config: { access: 'read' },
    schema: {
      summary: 'Live client sessions in the database, per user',
      tags: TAGS,
      params: nameParams,
      response: withErrors({ 200: itemsOf(sessionGroup) }),
    },
    handler: async (request) => ({
      items: await listConnections(await dbOf(request.params.name), {
        database: request.params.name,
      }),
    }),
  });

  app.route({
    method: 'DELETE',
    url: '/api/v1/databases/:name/sessions',
    config: { access: 'write', action: 'database.terminate_sessions' },
    schema: {
      summary: "End the database's client sessions (one login role's, with ?user=)",
      tags: TAGS,
      params: nameParams,
      querystring: query({ user: Type.Optional(Type.String({ maxLength: 63 })) }),
      response: withErrors(
        { 200: object({ terminated: Type.Integer(), leftRunning: Type.Integer() }) },
        [404, 409],
      ),
    },
    handler: async (request) =>
      terminateSessions(await dbOf(request.params.name), {
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
            findings: Type.Array(orphanFinding),
            skipped: Type.Array(object({ kind: stringEnum(ORPHAN_KINDS), reason: Type.String() })),
            unreachable,
          }),
        },
        [503],
      ),
    },
    async handler() {
      const access = await resolveCoderAccess({}, { env }, db).catch(coderUnavailable);
      const coder = coderClientFor(access);
      try {
        // Each server against its own registry, with one Coder client (as `devdb orphans`).
        const read = await eachServer(router, ({ db }) =>
          findOrphans(db, {
            coder,
            skippedReason: access.configured ? undefined : access.reason,
          }).catch(coderUnavailable),
        );
        return {
          findings: tagged({
            ...read,
            results: read.results.map(({ server, result }) => ({
              server,
              result: result.findings,
            })),
          }),
          skipped: read.results[0]!.result.skipped,
          unreachable: read.unreachable,
        };
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
      response: withErrors({ 200: cleanupPlan }),
    },
    async handler() {
      const { servers, unreachable } = await reachable();
      return { ...(await withCoder((coder) => planAll(servers, coder))).plan, unreachable };
    },
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
        { 200: object({ ...cleanupPlanProperties, results: Type.Array(cleanupResult) }) },
        [409],
      ),
    },
    async handler(request) {
      // One cleanup at a time (the CLI's, the policy job's): busy is a 409 saying whose.
      // Every server reached, each with its own plan (as `devdb cleanup`).
      const { servers, unreachable } = await reachable();
      const run = await withCoder((coder) =>
        cleanUpPool(servers, coder, {
          wait: false,
          what: 'cleanup (API)',
          actor: actorOf(request.principal),
          env,
        }),
      );
      return { ...run.plan, results: run.results, unreachable };
    },
  });

  /** The servers of the pool that answer; those that do not are named, their databases left out. */
  async function reachable() {
    const { results, unreachable } = await eachServer(router, async (routed) => routed);
    return { servers: results.map((r) => r.result), unreachable };
  }
}

/** Coder half-configured or not answering (CoderError is a UserError): the admin fixes the server's environment. */
function coderUnavailable(error: unknown): never {
  if (error instanceof UserError) {
    throw new ApiError(503, 'coder_unavailable', (error as Error).message);
  }
  throw error;
}
