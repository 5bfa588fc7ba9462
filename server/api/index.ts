/**
 * The control plane (docs/api.md): DevDB's REST API under /api/v1, /healthz,
 * /readyz and /metrics, on Fastify. `buildControlPlane` returns the app (tests
 * inject into it or listen on it); `startControlPlane` listens, on 127.0.0.1 by
 * default, with TLS when given cert and key files, and is what `devdb serve`
 * mounts.
 *
 * Routes are declared once, each with its JSON schemas: Fastify validates
 * requests and serializes responses with them, @fastify/swagger makes the
 * OpenAPI 3.1 document of them (served at /api/v1/openapi.json, checked in as
 * docs/openapi.json: `npm run openapi`), and, being TypeBox types
 * (schemas.ts), they type the handlers' requests and replies.
 */
import { readFile } from 'node:fs/promises';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { PROVIDER_VERSION as DEVDB_VERSION } from '../../provider/devdb/package-layout.js';
import { recordEvent } from '../../provisioning/index.js';
import {
  clientAddress,
  CSRF_HEADER,
  presentedCredential,
  registerAuth,
  SESSION_COOKIE,
  sessionRoutes,
} from './auth.js';
import { actorOf, type ControlPlaneOptions } from './context.js';
import { dashboardRoutes } from './dashboard.js';
import { toErrorResponse } from './errors.js';
import { liveRoutes } from './live.js';
import { controlPlaneRouter } from './pool.js';
import { adminRoutes } from './routes/admin.js';
import { agentRoutes } from './routes/agent.js';
import { backupRoutes } from './routes/backups.js';
import { databaseRoutes } from './routes/databases.js';
import { healthRoutes } from './routes/health.js';
import { policyRoutes } from './routes/policy.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { DEFAULT_REFUSAL_LIMITS, RefusalCounter } from './refusals.js';

export type { ControlPlaneOptions, ReadinessCheck, SamplerStatus } from './context.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7432;
const DEFAULT_BODY_LIMIT = 64 * 1024;

const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'DevDB control plane',
    version: DEVDB_VERSION,
    description:
      'Databases, backups, the audit trail and settings of a DevDB installation (docs/api.md). ' +
      'Authenticate with `Authorization: Bearer <token>` (`devdb token create`), or log in with ' +
      `POST /api/v1/session and send the session cookie plus the CSRF token in ${CSRF_HEADER} on changes.`,
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'an API token from `devdb token create`',
      },
      session: {
        type: 'apiKey',
        in: 'cookie',
        name: SESSION_COOKIE,
        description: `from POST /api/v1/session; changes also need the ${CSRF_HEADER} header`,
      },
    },
  },
  security: [{ bearer: [] }, { session: [] }],
  tags: [
    { name: 'databases' },
    { name: 'backups' },
    { name: 'events' },
    { name: 'settings' },
    { name: 'policy' },
    { name: 'session' },
    { name: 'health' },
    { name: 'agent' },
  ],
};

/**
 * Records `<action>.failed` for a mutation that failed after authentication,
 * so failures are in the audit trail (and in devdb_provisioning_errors_total).
 * Refusals — a 401 to a request that presented a credential, a 403, a 404 —
 * are counted instead, so a flood of them adds a bounded number of events
 * (refusals.ts).
 */
async function recordFailure(
  options: ControlPlaneOptions,
  refusals: RefusalCounter,
  request: FastifyRequest,
  status: number,
  message: string,
): Promise<void> {
  if (status < 400) return;
  if (status === 401 && presentedCredential(request)) {
    const address = clientAddress(request);
    const path = request.routeOptions.url ?? request.url.split('?')[0];
    await refusals.refuse(`${UNAUTHENTICATED_ACTION}|${address}`, {
      actor: 'api',
      action: UNAUTHENTICATED_ACTION,
      detail: { status, message, address, request: `${request.method} ${path}` },
    });
    return;
  }
  const action = request.routeOptions.config.action;
  if (!action || !request.principal) return;
  const actor = actorOf(request.principal);
  const database = (request.params as { name?: string } | undefined)?.name;
  const event = {
    actor,
    action: `${action}.failed`,
    ...(database ? { database } : {}),
    detail: { status, message },
  };
  if (REFUSED.has(status)) {
    await refusals.refuse(`${event.action}|${actor}|${status}`, event);
    return;
  }
  await recordEvent(options.pool, event).catch((error: unknown) =>
    request.log.error({ err: error }, 'could not record a failure event'),
  );
}

/** Statuses that refuse a request (rather than fail an operation): counted, not each recorded. */
const REFUSED = new Set([401, 403, 404]);
/** The event of a request whose token or session was not accepted. */
const UNAUTHENTICATED_ACTION = 'api.unauthenticated';

/** The app, with every route registered and ready (not listening). */
export async function buildControlPlane(options: ControlPlaneOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const https = options.tls
    ? {
        cert: await readFile(options.tls.certFile),
        key: await readFile(options.tls.keyFile),
      }
    : null;
  const app = Fastify({
    ...(https ? { https } : {}),
    // X-Forwarded-For names the client only when a trusted proxy sent it (request.ip).
    ...(options.trustedProxies?.length ? { trustProxy: options.trustedProxies } : {}),
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Unknown fields are refused (400), not silently dropped.
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allowUnionTypes: true,
      },
    },
  }) as unknown as FastifyInstance;

  await app.register(swagger, { openapi: OPENAPI_INFO as never });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 4096 } });

  const refusals = new RefusalCounter(
    { ...DEFAULT_REFUSAL_LIMITS, ...options.refusalLimits },
    now,
    (event) =>
      recordEvent(options.pool, event).catch((error: unknown) =>
        app.log.error({ err: error }, 'could not record a refusal event'),
      ),
  );
  // A quiet window is summed up too; the last one when the app closes.
  const tick = setInterval(() => refusals.tick(), 10_000).unref();
  app.addHook('onClose', async () => {
    clearInterval(tick);
    await refusals.flush();
  });

  app.setErrorHandler(async (error, request, reply) => {
    const { status, body, bug } = toErrorResponse(error);
    if (bug) request.log.error({ err: error }, 'unexpected error');
    await recordFailure(options, refusals, request, status, body.error.message);
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}: /api/v1/openapi.json lists the API`,
      },
    }),
  );

  // Every database's operations go to its server of the pool (pool.ts, docs/servers.md).
  const router = controlPlaneRouter(options);
  app.addHook('onClose', () => router.close());

  registerAuth(app, options);
  sessionRoutes(app, options, now);
  databaseRoutes(app, router);
  backupRoutes(app, options, router);
  adminRoutes(app, options, router);
  policyRoutes(app, options, router);
  snapshotRoutes(app, router);
  healthRoutes(app, options, now);
  agentRoutes(app, options);
  liveRoutes(app, options, router);
  dashboardRoutes(app);
  app.get(
    '/api/v1/openapi.json',
    { schema: { hide: true }, config: { access: 'public' } },
    async () => app.swagger(),
  );

  await app.ready();
  return app;
}

export interface RunningControlPlane {
  /** http(s)://host:port */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the app and listens (127.0.0.1:7432 unless told otherwise). */
export async function startControlPlane(
  options: ControlPlaneOptions,
): Promise<RunningControlPlane> {
  const app = await buildControlPlane(options);
  const host = options.host ?? DEFAULT_HOST;
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`,
    app,
    close: () => app.close(),
  };
}

/** The checked-in OpenAPI document (`npm run openapi` writes it; a test fails when it drifts). */
export const OPENAPI_FILE = 'docs/openapi.json';

/** The OpenAPI document as checked in: 2-space JSON and a final newline. */
export async function openApiJson(): Promise<string> {
  return `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
}

/** The OpenAPI document of these routes; needs no database. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const pool = { query: () => Promise.reject(new Error('no database')) } as never;
  const app = await buildControlPlane({ pool, adminUrl: 'postgresql://localhost/devdb' });
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
