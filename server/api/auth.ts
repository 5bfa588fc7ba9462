/**
 * Who may call what (docs/api.md, "Authentication"): a bearer token on every
 * request, or a dashboard session opened with one (an HttpOnly, SameSite=Strict
 * cookie, Secure under TLS) whose mutating requests must carry the session's
 * CSRF token in X-CSRF-Token. Viewers read; admins also change. Failed logins
 * are limited per client address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateApiToken,
  createApiSession,
  deleteApiSession,
  findApiSession,
  recordEvent,
  type ApiPrincipal,
} from '../../provisioning/index.js';
import { actorOf, type ControlPlaneOptions } from './context.js';
import { ApiError } from './errors.js';
import { body, dateTime, object, principal, withErrors } from './schemas.js';

export const SESSION_COOKIE = 'devdb_session';
/** Readable by the page (not HttpOnly): it sends the value back in X-CSRF-Token. */
export const CSRF_COOKIE = 'devdb_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const HOW_TO_AUTHENTICATE =
  'send Authorization: Bearer <token> (an admin creates one with `devdb token create --name NAME --role viewer|admin`), or log in with POST /api/v1/session';

/** Counts failed logins per client address in a fixed window. */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: { max: number; windowMs: number },
    private readonly now: () => Date,
  ) {}

  /** Milliseconds to wait when the address is over the limit, else 0. */
  retryAfterMs(address: string): number {
    const entry = this.failures.get(address);
    const now = this.now().getTime();
    if (!entry || entry.resetAt <= now) return 0;
    return entry.count >= this.limit.max ? entry.resetAt - now : 0;
  }

  fail(address: string): void {
    const now = this.now().getTime();
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now) {
      this.failures.set(address, { count: 1, resetAt: now + this.limit.windowMs });
      this.forgetExpired(now);
    } else {
      entry.count++;
    }
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private forgetExpired(now: number): void {
    for (const [address, entry] of this.failures) {
      if (entry.resetAt <= now) this.failures.delete(address);
    }
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match)
    throw new ApiError(
      401,
      'unauthenticated',
      `malformed Authorization header: ${HOW_TO_AUTHENTICATE}`,
    );
  return match[1];
}

async function authenticate(
  request: FastifyRequest,
  options: ControlPlaneOptions,
): Promise<{ principal: ApiPrincipal; viaCookie: boolean; csrfOk: boolean }> {
  const token = bearerToken(request);
  if (token !== undefined) {
    const found = await authenticateApiToken(options.pool, token);
    if (!found) {
      throw new ApiError(
        401,
        'unauthenticated',
        `the token is unknown or revoked: ${HOW_TO_AUTHENTICATE}`,
      );
    }
    return { principal: found, viaCookie: false, csrfOk: true };
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId) {
    const session = await findApiSession(options.pool, sessionId);
    if (!session) {
      throw new ApiError(
        401,
        'unauthenticated',
        'the session has ended (expired, logged out or its token revoked): log in again',
      );
    }
    const header = request.headers[CSRF_HEADER];
    const csrfOk = session.csrfMatches(typeof header === 'string' ? header : undefined);
    return { principal: session.principal, viaCookie: true, csrfOk };
  }
  throw new ApiError(401, 'unauthenticated', HOW_TO_AUTHENTICATE);
}

/** The onRequest hook: every non-public route needs a principal with enough rights. */
export function registerAuth(app: FastifyInstance, options: ControlPlaneOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    // An unknown path answers 404 to anyone who may read (not 403 to viewers).
    const access = request.routeOptions.config.access ?? (request.is404 ? 'read' : 'write');
    if (access === 'public') return;
    try {
      const { principal, viaCookie, csrfOk } = await authenticate(request, options);
      request.principal = principal;
      if (viaCookie && !SAFE_METHODS.has(request.method) && !csrfOk) {
        throw new ApiError(
          403,
          'csrf_failed',
          `this request needs the session's CSRF token in the ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie holds it)`,
        );
      }
      if (access === 'write' && principal.role !== 'admin') {
        throw new ApiError(
          403,
          'forbidden',
          `token ${principal.name} is a viewer: this needs a token with the admin role`,
        );
      }
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) {
        void reply.header('WWW-Authenticate', 'Bearer realm="devdb"');
      }
      throw error;
    }
  });
}

function clientAddress(request: FastifyRequest): string {
  return request.ip || request.socket.remoteAddress || 'unknown';
}

function setSessionCookies(
  reply: FastifyReply,
  session: { sessionId: string; csrfToken: string; expiresAt: Date },
  secure: boolean,
  maxAge: number,
): void {
  const common = { path: '/', sameSite: 'strict' as const, secure, maxAge };
  void reply.setCookie(SESSION_COOKIE, session.sessionId, { ...common, httpOnly: true });
  void reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

/** POST/GET/DELETE /api/v1/session: the dashboard's login, whoami and logout. */
export function sessionRoutes(
  app: FastifyInstance,
  options: ControlPlaneOptions,
  now: () => Date,
): void {
  const limiter = new LoginLimiter(options.loginLimit ?? { max: 10, windowMs: 15 * 60_000 }, now);
  const ttl = options.sessionTtlSeconds ?? 12 * 3600;
  const secure = options.tls !== undefined;

  app.route<{ Body: { token: string } }>({
    method: 'POST',
    url: '/api/v1/session',
    config: { access: 'public' },
    schema: {
      summary: 'Log in with an API token: sets the session cookie and the CSRF cookie',
      tags: ['session'],
      security: [],
      body: body({ token: { type: 'string', minLength: 1, maxLength: 200 } }, ['token']),
      response: withErrors(
        {
          201: object({
            ...(principal.properties as Record<string, Record<string, unknown>>),
            csrfToken: {
              type: 'string',
              description: `send it in the ${CSRF_HEADER} header on every change`,
            },
            expiresAt: dateTime,
          }),
        },
        [413],
      ),
    },
    async handler(request, reply) {
      const address = clientAddress(request);
      const wait = limiter.retryAfterMs(address);
      if (wait > 0) {
        void reply.header('Retry-After', String(Math.ceil(wait / 1000)));
        throw new ApiError(
          429,
          'too_many_requests',
          `too many failed logins from ${address}: try again in ${Math.ceil(wait / 1000)} s`,
        );
      }
      const found = await authenticateApiToken(options.pool, request.body.token);
      if (!found) {
        limiter.fail(address);
        request.log.warn({ address }, 'failed dashboard login');
        throw new ApiError(
          401,
          'unauthenticated',
          'the token is unknown or revoked: check it, or ask an admin for one (`devdb token create`)',
        );
      }
      limiter.succeed(address);
      const session = await createApiSession(options.pool, {
        principal: found,
        ttlSeconds: ttl,
      });
      await recordEvent(options.pool, {
        actor: actorOf(found),
        action: 'session.login',
        detail: { address },
      });
      setSessionCookies(reply, session, secure, ttl);
      void reply.header('Cache-Control', 'no-store');
      return reply.code(201).send({
        name: found.name,
        role: found.role,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      });
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/session',
    config: { access: 'read' },
    schema: {
      summary: 'Who the token or session is',
      tags: ['session'],
      response: withErrors({ 200: principal }),
    },
    handler: async (request) => ({ name: request.principal!.name, role: request.principal!.role }),
  });

  app.route({
    method: 'DELETE',
    url: '/api/v1/session',
    // Viewers may log out too; a cookie session still needs its CSRF token (checked in the hook).
    config: { access: 'read' },
    schema: {
      summary: 'Log out: ends the session and clears its cookies',
      tags: ['session'],
      response: withErrors({ 204: { type: 'null', description: 'logged out' } }),
    },
    async handler(request, reply) {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await deleteApiSession(options.pool, sessionId);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  });
}
