/**
 * Admin API tokens and dashboard sessions of the control plane (docs/api.md).
 * A token is 256 random bits shown once to whoever creates it; the registry
 * keeps its sha256 only (no salt or slow hash needed: nothing to guess). A
 * dashboard session is a random id in an HttpOnly cookie plus a CSRF token the
 * page sends back in a header; both are stored hashed, and a session dies with
 * its token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { query, queryOne, type Queryable } from '../schema/index.js';
import type { ApiRole } from '../contract/index.js';
import { ProvisioningError } from '../contract/index.js';
import { validateApiRole, validateTokenName } from '../contract/index.js';

/** What an authenticated caller is: the token's name (the actor `api:<name>`) and role. */
export interface ApiPrincipal {
  tokenId: number;
  name: string;
  role: ApiRole;
}

export interface ApiTokenRecord {
  name: string;
  role: ApiRole;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_TOKEN_PREFIX = 'devdb_';

/** last_used_at is written at most this often per token: a busy client costs no write per request. */
const LAST_USED_RESOLUTION_S = 60;

export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex');

const randomSecret = (prefix = ''): string => `${prefix}${randomBytes(32).toString('base64url')}`;

const TOKEN_COLUMNS = `name, role, created_at AS "createdAt", created_by AS "createdBy",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** Creates a token and returns it with its secret: the only time the secret is seen. */
export async function createApiToken(
  db: Queryable,
  input: { name: string; role: ApiRole; actor?: string },
): Promise<ApiTokenRecord & { token: string }> {
  const name = validateTokenName(input.name);
  const role = validateApiRole(input.role);
  const token = randomSecret(API_TOKEN_PREFIX);
  const actor = input.actor ?? 'cli';
  const [row] = await query<ApiTokenRecord>(
    db,
    `WITH t AS (
       INSERT INTO provisioning.api_tokens (name, role, hash, created_at, created_by)
       VALUES ($1, $2, $3, provisioning._now(), $4)
       ON CONFLICT (name) DO NOTHING
       RETURNING *),
     e AS (INSERT INTO provisioning.events (actor, action, detail)
           SELECT $4, 'token.create', jsonb_build_object('name', t.name, 'role', t.role) FROM t)
     SELECT ${TOKEN_COLUMNS} FROM t`,
    [name, role, hashSecret(token), actor],
  );
  if (!row) {
    throw new ProvisioningError(
      `an API token named ${JSON.stringify(name)} exists already (revoked names stay taken: the audit trail refers to them); choose another name`,
      '42710',
    );
  }
  return { ...row, token };
}

/** Every token, revoked ones included (their names stay taken: the audit trail refers to them). */
export function listApiTokens(db: Queryable): Promise<ApiTokenRecord[]> {
  return query<ApiTokenRecord>(
    db,
    `SELECT ${TOKEN_COLUMNS} FROM provisioning.api_tokens ORDER BY name`,
  );
}

/**
 * Revokes a token: it and every dashboard session opened with it stop working
 * at once. `revoked` is false when it was revoked already.
 */
export async function revokeApiToken(
  db: Queryable,
  input: { name: string; actor?: string },
): Promise<{ name: string; revoked: boolean }> {
  const name = validateTokenName(input.name);
  const [row] = await query<{ revoked: boolean }>(
    db,
    `WITH found AS (SELECT id, revoked_at FROM provisioning.api_tokens WHERE name = $1),
     r AS (UPDATE provisioning.api_tokens t SET revoked_at = provisioning._now()
             FROM found WHERE t.id = found.id AND found.revoked_at IS NULL RETURNING t.id),
     s AS (DELETE FROM provisioning.api_sessions WHERE token_id IN (SELECT id FROM r)),
     e AS (INSERT INTO provisioning.events (actor, action, detail)
           SELECT $2, 'token.revoke', jsonb_build_object('name', $1::text) FROM r)
     SELECT EXISTS (SELECT FROM r) AS revoked FROM found`,
    [name, input.actor ?? 'cli'],
  );
  if (!row) {
    throw new ProvisioningError(
      `no API token named ${JSON.stringify(name)}; \`devdb token list\` shows them`,
      '42704',
    );
  }
  return { name, revoked: row.revoked };
}

/**
 * The principal a bearer token stands for, or null (unknown or revoked).
 * Records its last use, at most once a minute.
 */
export async function authenticateApiToken(
  db: Queryable,
  token: string,
): Promise<ApiPrincipal | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const [row] = await query<ApiPrincipal>(
    db,
    `WITH t AS (SELECT id, name, role, last_used_at FROM provisioning.api_tokens
                 WHERE hash = $1 AND revoked_at IS NULL),
     u AS (UPDATE provisioning.api_tokens a SET last_used_at = provisioning._now()
             FROM t WHERE a.id = t.id
              AND (t.last_used_at IS NULL
                   OR t.last_used_at < provisioning._now() - make_interval(secs => $2)))
     SELECT id::int AS "tokenId", name, role FROM t`,
    [hashSecret(token), LAST_USED_RESOLUTION_S],
  );
  return row ?? null;
}

export interface ApiSession {
  /** Goes into the HttpOnly cookie. */
  sessionId: string;
  /** The page sends it back in the X-CSRF-Token header on every mutating request. */
  csrfToken: string;
  expiresAt: Date;
  principal: ApiPrincipal;
}

/**
 * Opens a dashboard session for a principal (after authenticateApiToken said
 * yes), expiring ttlSeconds from now by the server's clock.
 */
export async function createApiSession(
  db: Queryable,
  input: { principal: ApiPrincipal; ttlSeconds: number },
): Promise<ApiSession> {
  const sessionId = randomSecret();
  const csrfToken = randomSecret();
  const { expiresAt } = await queryOne<{ expiresAt: Date }>(
    db,
    `WITH s AS (INSERT INTO provisioning.api_sessions (id_hash, token_id, csrf_hash, created_at, expires_at)
                VALUES ($1, $2, $3, provisioning._now(), provisioning._now() + make_interval(secs => $4))
                RETURNING expires_at),
     -- Expired sessions go whenever a new one starts: the table stays small.
     old AS (DELETE FROM provisioning.api_sessions WHERE expires_at < provisioning._now())
     SELECT expires_at AS "expiresAt" FROM s`,
    [hashSecret(sessionId), input.principal.tokenId, hashSecret(csrfToken), input.ttlSeconds],
  );
  return { sessionId, csrfToken, expiresAt, principal: input.principal };
}

/** The session's principal and a check of a presented CSRF token, or null when the session is gone. */
export async function findApiSession(
  db: Queryable,
  sessionId: string,
): Promise<{ principal: ApiPrincipal; csrfMatches(token: string | undefined): boolean } | null> {
  const [row] = await query<ApiPrincipal & { csrfHash: string }>(
    db,
    `SELECT t.id::int AS "tokenId", t.name, t.role, s.csrf_hash AS "csrfHash"
       FROM provisioning.api_sessions s JOIN provisioning.api_tokens t ON t.id = s.token_id
      WHERE s.id_hash = $1 AND s.expires_at > provisioning._now() AND t.revoked_at IS NULL`,
    [hashSecret(sessionId)],
  );
  if (!row) return null;
  const { csrfHash, ...principal } = row;
  return {
    principal,
    csrfMatches: (token) =>
      token !== undefined && timingSafeEqual(Buffer.from(hashSecret(token)), Buffer.from(csrfHash)),
  };
}

export async function deleteApiSession(db: Queryable, sessionId: string): Promise<void> {
  await query(db, `DELETE FROM provisioning.api_sessions WHERE id_hash = $1`, [
    hashSecret(sessionId),
  ]);
}
