/**
 * A thin typed client over Coder's REST API, for the few endpoints DevDB's admin
 * side reads (docs/operations.md, "Orphans"): a workspace by id (with
 * `include_deleted`), a user by id or name, and the workspace and user listings.
 * Coder ships no TypeScript client; this is undici with:
 *
 * - the token in the `Coder-Session-Token` header and nowhere else: errors name
 *   where it came from (`tokenSource`), never its value;
 * - one timeout per request (connect, headers, body);
 * - retries with exponential back-off on 429 (honouring Retry-After) and 5xx,
 *   none on other 4xx. The back-off sleep is injectable so tests never wait
 *   (undici's RetryAgent sleeps on its own timers, which tests cannot skip);
 * - one-line errors (CoderError, a UserError) for a rejected token (401/403),
 *   an unreachable Coder and a timeout, naming the URL without credentials.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { UserError } from '../errors.js';

// Coder's shapes are the orphan check's input, declared with it (provisioning/orphans/coder.ts).
export type {
  BuildTransition,
  CoderBuild,
  CoderUser,
  CoderUserStatus,
  CoderWorkspace,
} from '../../provisioning/index.js';
import type { CoderUser, CoderWorkspace } from '../../provisioning/index.js';

/** An error the admin can fix from its one line: a CLI error (exit 1), never with the token. */
export class CoderError extends UserError {
  constructor(
    message: string,
    /** HTTP status when Coder answered; undefined when it could not be reached. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CoderError';
  }
}

export interface CoderClientOptions {
  /** Coder's base URL, e.g. https://coder.example.com. */
  url: string;
  token: string;
  /** Where the token came from, for errors: `CODER_SESSION_TOKEN`, `the token file F`. */
  tokenSource: string;
  /** Where the URL came from, for errors: `CODER_URL`, `--coder-url`. */
  urlSource: string;
  /** Per request (connect, headers, body); default 10 s. */
  timeoutMs?: number;
  /** Retries after a 429 or 5xx; default 4. */
  retries?: number;
  /** First back-off, doubled each retry; default 500 ms. */
  backoffMs?: number;
  /** Upper bound of one wait, Retry-After included; default 30 s. */
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PageRequest {
  /** Coder's search query, e.g. `owner:alice dormant:true`. */
  q?: string;
  limit: number;
  offset?: number;
}

const DEFAULTS = { timeoutMs: 10_000, retries: 4, backoffMs: 500, maxBackoffMs: 30_000 };
const API = '/api/v2';
/** coderd answers 400 with this for a user id or name it does not know (httpmw/userparam.go). */
const NO_SUCH_USER = 'must be an existing uuid or username';

/** The URL as it may be printed: no credentials, no trailing slash. */
function parseBaseUrl(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CoderError(
      `the Coder URL from ${source} is not a URL: expected e.g. https://coder.example.com`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CoderError(`the Coder URL from ${source} must start with https:// or http://`);
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url;
}

/** Retry-After in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()) {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const errorCode = (error: unknown): string | undefined => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
};

const isRetryable = (status: number) => status === 429 || status >= 500;

export class CoderClient {
  readonly url: string;
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly settings: Required<Omit<CoderClientOptions, 'url'>>;

  constructor(options: CoderClientOptions) {
    this.base = parseBaseUrl(options.url, options.urlSource);
    this.url = this.base.href.replace(/\/$/, '');
    this.settings = {
      ...DEFAULTS,
      sleep: (ms) => delay(ms),
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<Omit<CoderClientOptions, 'url'>>;
    const timeout = this.settings.timeoutMs;
    this.agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
  }

  /** The token's own user (with its roles). */
  me(): Promise<CoderUser> {
    return this.getJson<CoderUser>('/users/me');
  }

  /**
   * A workspace by id; null when Coder has none to show: 404 (no such id, or one
   * the token may not read) or 410 (deleted, without includeDeleted).
   */
  workspace(
    id: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<CoderWorkspace | null> {
    const query = options.includeDeleted ? { include_deleted: 'true' } : {};
    return this.getJson<CoderWorkspace | null>(`/workspaces/${encodeURIComponent(id)}`, query, {
      absent: (status) => status === 404 || status === 410,
    });
  }

  /**
   * A user by id or username; null when Coder knows none (404, or its 400 for an
   * unknown id or name). Coder keeps deleted users as tombstones found by id, not
   * by username: a user found by id may still be deleted.
   */
  user(idOrUsername: string): Promise<CoderUser | null> {
    return this.getJson<CoderUser | null>(
      `/users/${encodeURIComponent(idOrUsername)}`,
      {},
      {
        absent: (status, message) =>
          status === 404 || (status === 400 && message.includes(NO_SUCH_USER)),
      },
    );
  }

  /** One page of `GET /workspaces` (never deleted workspaces). */
  workspacesPage(page: PageRequest): Promise<{ workspaces: CoderWorkspace[]; count: number }> {
    return this.getJson('/workspaces', pageQuery(page));
  }

  /** One page of `GET /users` (never deleted users); `afterId` is Coder's stable cursor. */
  usersPage(
    page: PageRequest & { afterId?: string },
  ): Promise<{ users: CoderUser[]; count: number }> {
    return this.getJson('/users', { ...pageQuery(page), after_id: page.afterId });
  }

  /** Every workspace the search matches, page by page (offset paging). */
  async allWorkspaces(
    options: { q?: string; pageSize?: number; onPage?: (seen: number, count: number) => void } = {},
  ): Promise<CoderWorkspace[]> {
    const limit = options.pageSize ?? 100;
    const all: CoderWorkspace[] = [];
    for (;;) {
      const page = await this.workspacesPage({ q: options.q, limit, offset: all.length });
      all.push(...page.workspaces);
      options.onPage?.(all.length, page.count);
      if (page.workspaces.length < limit || all.length >= page.count) return all;
    }
  }

  /** Every user the search matches, page by page (after_id: no user missed or seen twice). */
  async allUsers(
    options: { q?: string; pageSize?: number; onPage?: (seen: number) => void } = {},
  ): Promise<CoderUser[]> {
    const limit = options.pageSize ?? 100;
    const all: CoderUser[] = [];
    const seen = new Set<string>();
    for (;;) {
      const page = await this.usersPage({ q: options.q, limit, afterId: all.at(-1)?.id });
      const fresh = page.users.filter((user) => !seen.has(user.id));
      fresh.forEach((user) => seen.add(user.id));
      all.push(...fresh);
      options.onPage?.(all.length);
      // A short page ends the listing; so does one with nothing new (a Coder ignoring after_id).
      if (page.users.length < limit || fresh.length === 0) return all;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private endpoint(path: string, query: Record<string, string | undefined>): URL {
    const prefix = this.base.pathname.replace(/\/+$/, ''); // '/' for a bare host
    const url = new URL(`${prefix}${API}${path}`, this.base.origin);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url;
  }

  /** GET, retried on 429/5xx; resolves null for what `absent` says means "none". */
  private async getJson<T>(
    path: string,
    query: Record<string, string | undefined> = {},
    options: { absent?: (status: number, message: string) => boolean } = {},
  ): Promise<T> {
    const url = this.endpoint(path, query);
    const what = `GET ${url.pathname}${url.search}`;
    for (let attempt = 1; ; attempt++) {
      const { status, headers, text } = await this.send(url, what);
      if (status === 200) return this.parse<T>(text, what);
      const message = this.messageOf(text);
      if (status === 401) throw this.rejectedToken(status, message);
      if (status === 403) throw this.forbidden(status, message, what);
      if (options.absent?.(status, message)) return null as T;
      if (isRetryable(status) && attempt <= this.settings.retries) {
        await this.settings.sleep(this.backoff(attempt, headers['retry-after']));
        continue;
      }
      const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
      throw new CoderError(
        `Coder at ${this.url} answered ${status}${message ? ` (${message})` : ''} to ${what}${tries}`,
        status,
      );
    }
  }

  private async send(url: URL, what: string) {
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { accept: 'application/json', 'coder-session-token': this.settings.token },
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        text: await response.body.text(),
      };
    } catch (error) {
      throw this.unreachable(error, what);
    }
  }

  private backoff(attempt: number, retryAfter: string | string[] | undefined): number {
    const exponential = this.settings.backoffMs * 2 ** (attempt - 1);
    return Math.min(retryAfterMs(retryAfter) ?? exponential, this.settings.maxBackoffMs);
  }

  private parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CoderError(
        `${this.url} did not answer ${what} with JSON: is ${this.settings.urlSource} Coder's address?`,
      );
    }
  }

  /** Coder's `{ message, detail }`, one line, the token blanked out should it ever appear. */
  private messageOf(text: string): string {
    let message = '';
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {
      message = text.slice(0, 200);
    }
    return this.redact(message.replace(/\s+/g, ' ').trim());
  }

  private redact(text: string): string {
    return this.settings.token ? text.split(this.settings.token).join('[token]') : text;
  }

  private rejectedToken(status: number, message: string): CoderError {
    return new CoderError(
      `Coder rejected the token (${status}${message ? `: ${message}` : ''}): check ` +
        `${this.settings.tokenSource} for ${this.url}; an admin makes one with ` +
        '`coder tokens create --lifetime 720h`',
      status,
    );
  }

  private forbidden(status: number, message: string, what: string): CoderError {
    return new CoderError(
      `Coder refused ${what} (${status}${message ? `: ${message}` : ''}): the token from ` +
        `${this.settings.tokenSource} may not read every workspace and user; use a token of ` +
        'an Owner or a Template Admin (`coder tokens create --lifetime 720h` as that user)',
      status,
    );
  }

  private unreachable(error: unknown, what: string): CoderError {
    const code = errorCode(error);
    const seconds = this.settings.timeoutMs / 1000;
    if (
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT'
    ) {
      return new CoderError(
        `Coder at ${this.url} did not answer ${what} within ${seconds} s: check ` +
          `${this.settings.urlSource}, or allow longer (--coder-timeout, setting coder_timeout_seconds)`,
      );
    }
    const reason =
      code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host not found'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
            ? 'connection closed'
            : this.redact((error as Error)?.message ?? String(error));
    return new CoderError(
      `cannot reach Coder at ${this.url} (${reason}): check ${this.settings.urlSource}`,
    );
  }
}

function pageQuery(page: PageRequest): Record<string, string | undefined> {
  return {
    q: page.q || undefined,
    limit: String(page.limit),
    offset: page.offset ? String(page.offset) : undefined,
  };
}
