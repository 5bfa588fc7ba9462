/**
 * Who may call what (docs/api.md, "Authentication"): a bearer token on every
 * request, or a dashboard session opened with one (an HttpOnly, SameSite=Strict
 * cookie, Secure under TLS) whose mutating requests must carry the session's
 * CSRF token in X-CSRF-Token. Viewers read; admins also change. Failed logins
 * are limited per client address (behind a trusted proxy, the client's) and
 * per token prefix.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
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
import { dateTime, object, principal, principalProperties, withErrors } from './schemas.js';

export const SESSION_COOKIE = 'devdb_session';
/** Readable by the page (not HttpOnly): it sends the value back in X-CSRF-Token. */
export const CSRF_COOKIE = 'devdb_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const HOW_TO_AUTHENTICATE =
  'send Authorization: Bearer <token> (an admin creates one with `devdb token create --name NAME --role viewer|admin`), or log in with POST /api/v1/session';

/**
 * Counts failed logins per key (a client address, a token prefix) in a fixed
 * window. Keeps at most MAX_KEYS keys, the oldest forgotten first, so a flood
 * of addresses cannot grow it without bound.
 */
export class LoginLimiter {
  private static readonly MAX_KEYS = 10_000;
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: { max: number; windowMs: number },
    private readonly now: () => Date,
  ) {}

  /** Milliseconds to wait when any of the keys is over the limit, else 0. */
  retryAfterMs(...keys: string[]): number {
    const now = this.now().getTime();
    return Math.max(
      0,
      ...keys.map((key) => {
        const entry = this.failures.get(key);
        if (!entry || entry.resetAt <= now) return 0;
        return entry.count >= this.limit.max ? entry.resetAt - now : 0;
      }),
    );
  }

  fail(...keys: string[]): void {
    const now = this.now().getTime();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry || entry.resetAt <= now) {
        this.failures.delete(key);
        this.failures.set(key, { count: 1, resetAt: now + this.limit.windowMs });
      } else {
        entry.count++;
      }
    }
    this.forgetExpired(now);
  }

  succeed(...keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.failures) {
      if (entry.resetAt <= now || this.failures.size > LoginLimiter.MAX_KEYS) {
        this.failures.delete(key);
      }
    }
  }
}

/**
 * The keys a login attempt is limited by: the client's address (behind a
 * trusted proxy, the one X-Forwarded-For names) and the presented token's
 * first characters (tokens are `devdb_` + 43 random characters; the prefix is
 * what logs and secret scanners show of one).
 */
export function loginKeys(address: string, token: string): string[] {
  return [`address ${address}`, `token ${token.slice(0, TOKEN_PREFIX_LENGTH)}`];
}

/** `devdb_` and 8 random characters. */
const TOKEN_PREFIX_LENGTH = 14;

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

/** The client: the socket's peer, or behind a trusted proxy the address X-Forwarded-For gives. */
export function clientAddress(request: FastifyRequest): string {
  return request.ip || request.socket.remoteAddress || 'unknown';
}

/** Whether the request came with a credential (a bearer token, a session cookie, a login). */
export function presentedCredential(request: FastifyRequest): boolean {
  const login = request.method === 'POST' && request.routeOptions.url === '/api/v1/session';
  return login || request.headers.authorization !== undefined || !!request.cookies[SESSION_COOKIE];
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
  server: FastifyInstance,
  options: ControlPlaneOptions,
  now: () => Date,
): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const limiter = new LoginLimiter(options.loginLimit ?? { max: 10, windowMs: 15 * 60_000 }, now);
  const ttl = options.sessionTtlSeconds ?? 12 * 3600;
  const secure = options.tls !== undefined;

  app.route({
    method: 'POST',
    url: '/api/v1/session',
    config: { access: 'public' },
    schema: {
      summary: 'Log in with an API token: sets the session cookie and the CSRF cookie',
      tags: ['session'],
      security: [],
      body: object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: withErrors(
        {
          201: object({
            ...principalProperties,
            csrfToken: Type.String({
              description: `send it in the ${CSRF_HEADER} header on every change`,
            }),
            expiresAt: dateTime,
          }),
        },
        [413],
      ),
    },
    async handler(request, reply) {
      const address = clientAddress(request);
      const keys = loginKeys(address, request.body.token);
      const wait = limiter.retryAfterMs(...keys);
      if (wait > 0) {
        void reply.header('Retry-After', String(Math.ceil(wait / 1000)));
        throw new ApiError(
          429,
          'too_many_requests',
          `too many failed logins from ${address} or with this token: try again in ${Math.ceil(wait / 1000)} s`,
        );
      }
      const found = await authenticateApiToken(options.pool, request.body.token);
      if (!found) {
        limiter.fail(...keys);
        request.log.warn({ address }, 'failed dashboard login');
        throw new ApiError(
          401,
          'unauthenticated',
          'the token is unknown or revoked: check it, or ask an admin for one (`devdb token create`)',
        );
      }
      limiter.succeed(...keys);
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
      // No content: the reply is sent without a body.
      response: withErrors({
        204: Type.Unsafe<undefined>({ type: 'null', description: 'logged out' }),
      }),
    },
    async handler(request, reply) {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await deleteApiSession(options.pool, sessionId);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  });
}
