/**
 * A stand-in for Coder's REST API (coder/coder cannot run here), for the admin
 * side's tests: real HTTP on a random loopback port, seeded per test. It follows
 * what coderd does for the endpoints DevDB calls (docs/reference/api/workspaces.md,
 * users.md; coderd/workspaces.go, coderd/httpmw/userparam.go):
 *
 * - `Coder-Session-Token` on every request: none or an unknown one → 401.
 * - GET /api/v2/workspaces/{id}: 200; a deleted workspace → 410 Gone (what coderd
 *   answers; `deletedWorkspaceStatus: 404` for the older documented 404), or 200
 *   with `?include_deleted=true`; an unknown id → 404 both ways; not a UUID → 400.
 *   Workspaces of other users are 404 for a token that may not read them (coderd
 *   never says "forbidden" for a read it hides).
 * - GET /api/v2/workspaces?q=&limit=&offset= → {workspaces, count}; never deleted ones.
 * - GET /api/v2/users/{id|username|me}: an unknown one → 400 `"user" must be an
 *   existing uuid or username.`; a deleted user is still found by id (coderd keeps
 *   it as a tombstone) but not by username.
 * - GET /api/v2/users?q=&limit=&offset=&after_id= → {users, count}; never deleted ones.
 * - Faults for the client's error paths: a status (429 with Retry-After, 500, 403),
 *   a slow answer, for the next N matching requests.
 *
 * Never shipped: it lives under test/.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Transition = 'start' | 'stop' | 'delete';
export type UserStatus = 'active' | 'dormant' | 'suspended';

export interface StandInUser {
  id: string;
  username: string;
  email: string;
  name: string;
  status: UserStatus;
  /** Site-wide roles: `owner`, `auditor`, `template-admin`, `user-admin`; members have none. */
  roles: string[];
  createdAt: Date;
  lastSeenAt: Date;
  deleted: boolean;
}

export interface StandInWorkspace {
  id: string;
  name: string;
  ownerId: string;
  templateId: string;
  templateName: string;
  createdAt: Date;
  lastUsedAt: Date;
  dormantAt: Date | null;
  deletingAt: Date | null;
  transition: Transition;
  buildStatus: string;
  buildCreatedAt: Date;
  deleted: boolean;
}

export interface Fault {
  /** Answer with this status (and a Coder-shaped error body). */
  status?: number;
  /** The Retry-After header to send with it. */
  retryAfter?: string;
  /** Wait this long before answering (or before the fault's status). */
  delayMs?: number;
  /** Only requests whose path (with query) matches; default: any. */
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  token: string | undefined;
}

export interface CoderApiStandIn {
  /** Base URL (`http://127.0.0.1:PORT`), what CODER_URL holds. */
  url: string;
  /** A token of the seeded site owner (`admin`). */
  token: string;
  admin: StandInUser;
  addUser(user: Partial<StandInUser> & { username: string }): StandInUser;
  addWorkspace(
    workspace: Partial<StandInWorkspace> & { name: string; ownerId: string },
  ): StandInWorkspace;
  /** What `coder delete` (with or without --orphan) leaves: a tombstone with a delete build. */
  deleteWorkspace(id: string): void;
  /** Coder keeps deleted users as tombstones: found by id, not by name, not listed. */
  deleteUser(id: string): void;
  /** A new session token for a user. */
  issueToken(userId: string): string;
  /** The next `times` requests (matching `fault.path`) get the fault. */
  failNext(fault: Fault, times?: number): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const ORGANIZATION_ID = randomUUID();
const TEMPLATE_VERSION_ID = randomUUID();
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// coderd/rbac: owners and template admins read every workspace (auditors do not).
const READS_ALL_WORKSPACES = ['owner', 'template-admin'];

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail = '',
  ) {
    super(message);
  }
}

function userJson(user: StandInUser) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    created_at: iso(user.createdAt),
    updated_at: iso(user.createdAt),
    last_seen_at: iso(user.lastSeenAt),
    status: user.status,
    login_type: 'password',
    theme_preference: '',
    avatar_url: '',
    organization_ids: [ORGANIZATION_ID],
    roles: user.roles.map((name) => ({
      name,
      display_name: name.replace(
        /(^|-)(\w)/g,
        (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`,
      ),
      organization_id: '',
    })),
  };
}

function buildJson(w: StandInWorkspace, owner: StandInUser | undefined) {
  return {
    id: randomUUID(),
    created_at: iso(w.buildCreatedAt),
    updated_at: iso(w.buildCreatedAt),
    workspace_id: w.id,
    workspace_name: w.name,
    workspace_owner_id: w.ownerId,
    workspace_owner_name: owner?.username ?? '',
    workspace_owner_avatar_url: '',
    template_version_id: TEMPLATE_VERSION_ID,
    template_version_name: 'v1',
    build_number: 1,
    transition: w.transition,
    initiator_id: w.ownerId,
    initiator_name: owner?.username ?? '',
    job: {
      id: randomUUID(),
      created_at: iso(w.buildCreatedAt),
      started_at: iso(w.buildCreatedAt),
      completed_at: iso(w.buildCreatedAt),
      status: 'succeeded',
      file_id: randomUUID(),
      tags: { scope: 'organization' },
      queue_position: 0,
      queue_size: 0,
    },
    reason: 'initiator',
    resources: [],
    deadline: null,
    max_deadline: null,
    status: w.buildStatus,
    daily_cost: 0,
  };
}

function workspaceJson(w: StandInWorkspace, owner: StandInUser | undefined) {
  return {
    id: w.id,
    created_at: iso(w.createdAt),
    updated_at: iso(w.lastUsedAt),
    owner_id: w.ownerId,
    owner_name: owner?.username ?? '',
    owner_avatar_url: '',
    organization_id: ORGANIZATION_ID,
    organization_name: 'coder',
    template_id: w.templateId,
    template_name: w.templateName,
    template_display_name: '',
    template_icon: '',
    template_allow_user_cancel_workspace_jobs: false,
    template_active_version_id: TEMPLATE_VERSION_ID,
    template_require_active_version: false,
    latest_build: buildJson(w, owner),
    outdated: false,
    name: w.name,
    autostart_schedule: null,
    ttl_ms: 28_800_000,
    last_used_at: iso(w.lastUsedAt),
    deleting_at: iso(w.deletingAt),
    dormant_at: iso(w.dormantAt),
    health: { healthy: true, failing_agents: [] },
    automatic_updates: 'never',
    allow_renames: false,
    favorite: false,
  };
}

/** `limit`/`offset` as coderd parses them: whole numbers, 0 = no limit. */
function paging(query: Record<string, string>): { limit: number; offset: number } {
  const number = (name: string) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return 0;
    if (!/^\d+$/.test(raw)) {
      throw new HttpError(
        400,
        'Query parameters have invalid values.',
        `${name} must be an integer`,
      );
    }
    return Number(raw);
  };
  return { limit: number('limit'), offset: number('offset') };
}

function page<T>(items: T[], { limit, offset }: { limit: number; offset: number }): T[] {
  return items.slice(offset, limit === 0 ? undefined : offset + limit);
}

/** `key:value` terms and bare words, as coderd's searchquery splits them. */
function searchTerms(q: string | undefined, allowed: string[]) {
  const terms: Record<string, string> = {};
  const words: string[] = [];
  for (const part of (q ?? '').split(/\s+/).filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon < 0) {
      words.push(part.toLowerCase());
      continue;
    }
    const key = part.slice(0, colon);
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        'Invalid search query.',
        `Query param "${key}" is not a valid query param`,
      );
    }
    terms[key] = part.slice(colon + 1);
  }
  return { terms, words };
}

export async function startCoderApiStandIn(
  options: { deletedWorkspaceStatus?: 404 | 410 } = {},
): Promise<CoderApiStandIn> {
  const users = new Map<string, StandInUser>();
  const workspaces = new Map<string, StandInWorkspace>();
  const tokens = new Map<string, string>(); // token → user id
  const faults: Array<Fault & { left: number }> = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const deletedStatus = options.deletedWorkspaceStatus ?? 410;

  const addUser: CoderApiStandIn['addUser'] = (input) => {
    const now = new Date();
    const user: StandInUser = {
      id: randomUUID(),
      email: `${input.username}@example.com`,
      name: '',
      status: 'active',
      roles: [],
      createdAt: now,
      lastSeenAt: now,
      deleted: false,
      ...input,
    };
    users.set(user.id, user);
    return user;
  };

  const issueToken = (userId: string) => {
    // Coder's shape: a 10-character id, a dash, a 22-character secret.
    const token = `${randomBytes(5).toString('hex')}-${randomBytes(11).toString('hex')}`;
    tokens.set(token, userId);
    return token;
  };

  const admin = addUser({ username: 'admin', roles: ['owner'] });
  const token = issueToken(admin.id);

  const caller = (request: IncomingMessage): StandInUser => {
    const header = request.headers['coder-session-token'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!given) {
      throw new HttpError(401, 'Cookie "coder_session_token" or query parameter must be provided.');
    }
    const user = users.get(tokens.get(given) ?? '');
    if (!user || user.deleted) throw new HttpError(401, 'API key is invalid.');
    if (user.status === 'suspended') {
      throw new HttpError(
        401,
        'Your account is suspended. Contact an admin to reactivate your account.',
      );
    }
    return user;
  };

  const canRead = (who: StandInUser, w: StandInWorkspace) =>
    w.ownerId === who.id || who.roles.some((role) => READS_ALL_WORKSPACES.includes(role));

  const workspaceById = (who: StandInUser, id: string, query: Record<string, string>) => {
    if (!UUID_PATTERN.test(id)) {
      throw new HttpError(400, `Invalid UUID "${id}".`, 'invalid UUID length');
    }
    const w = workspaces.get(id);
    if (!w || !canRead(who, w))
      throw new HttpError(404, 'Resource not found or you do not have access to this resource');
    const includeDeleted = query.include_deleted === 'true';
    if (w.deleted && !includeDeleted) {
      throw new HttpError(
        deletedStatus,
        `Workspace "${w.id}" was deleted, you can view this workspace by specifying '?deleted=true' and trying again.`,
      );
    }
    return workspaceJson(w, users.get(w.ownerId));
  };

  const listWorkspaces = (who: StandInUser, query: Record<string, string>) => {
    const { terms, words } = searchTerms(query.q, ['owner', 'name', 'template', 'dormant', 'id']);
    const ownerName = (w: StandInWorkspace) => users.get(w.ownerId)?.username ?? '';
    const matching = [...workspaces.values()]
      .filter((w) => !w.deleted && canRead(who, w))
      .filter(
        (w) => !terms.owner || ownerName(w) === (terms.owner === 'me' ? who.username : terms.owner),
      )
      .filter((w) => !terms.name || w.name.includes(terms.name))
      .filter((w) => !terms.template || w.templateName === terms.template)
      .filter((w) => !terms.id || w.id === terms.id)
      .filter((w) => terms.dormant !== 'true' || w.dormantAt !== null)
      .filter((w) => words.every((word) => w.name.includes(word)))
      .sort((a, b) => ownerName(a).localeCompare(ownerName(b)) || a.name.localeCompare(b.name));
    return {
      workspaces: page(matching, paging(query)).map((w) => workspaceJson(w, users.get(w.ownerId))),
      count: matching.length,
    };
  };

  const userByParam = (who: StandInUser, param: string) => {
    const user =
      param === 'me'
        ? who
        : UUID_PATTERN.test(param)
          ? users.get(param.toLowerCase())
          : [...users.values()].find(
              (u) => !u.deleted && u.username.toLowerCase() === param.toLowerCase(),
            );
    if (!user) {
      throw new HttpError(
        400,
        '"user" must be an existing uuid or username.',
        `queried user="${param}"`,
      );
    }
    return userJson(user);
  };

  const listUsers = (query: Record<string, string>) => {
    const { terms, words } = searchTerms(query.q, ['status', 'role']);
    let matching = [...users.values()]
      .filter((u) => !u.deleted)
      .filter((u) => !terms.status || terms.status.split(',').includes(u.status))
      .filter((u) => !terms.role || u.roles.includes(terms.role))
      .filter((u) =>
        words.every((w) => u.username.toLowerCase().includes(w) || u.email.includes(w)),
      )
      .sort((a, b) => a.username.toLowerCase().localeCompare(b.username.toLowerCase()));
    if (query.after_id) {
      // The cursor is the last user of the previous page; count is what is left after it.
      const after = users.get(query.after_id);
      if (after)
        matching = matching.filter((u) => u.username.toLowerCase() > after.username.toLowerCase());
    }
    return { users: page(matching, paging(query)).map(userJson), count: matching.length };
  };

  const route = (request: IncomingMessage, url: URL) => {
    const query = Object.fromEntries(url.searchParams);
    if (request.method !== 'GET') throw new HttpError(405, 'Method not allowed.');
    const who = caller(request);
    const path = url.pathname.replace(/\/$/, '');
    let match: RegExpExecArray | null;
    if (path === '/api/v2/workspaces') return listWorkspaces(who, query);
    if ((match = /^\/api\/v2\/workspaces\/([^/]+)$/.exec(path))) {
      return workspaceById(who, decodeURIComponent(match[1]!), query);
    }
    if (path === '/api/v2/users') return listUsers(query);
    if ((match = /^\/api\/v2\/users\/([^/]+)$/.exec(path))) {
      return userByParam(who, decodeURIComponent(match[1]!));
    }
    throw new HttpError(404, 'Route not found.');
  };

  const send = (response: ServerResponse, status: number, body: unknown, headers = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const takeFault = (pathWithQuery: string): Fault | undefined => {
    const index = faults.findIndex((f) => !f.path || f.path.test(pathWithQuery));
    if (index < 0) return undefined;
    const fault = faults[index]!;
    if (--fault.left === 0) faults.splice(index, 1);
    return fault;
  };

  const answer = (request: IncomingMessage, response: ServerResponse, fault?: Fault) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (fault?.status) {
      const headers = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      const message =
        fault.status === 429 ? 'Too many requests.' : `Injected fault ${fault.status}.`;
      send(response, fault.status, { message }, headers);
      return;
    }
    try {
      send(response, 200, route(request, url));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      send(response, error.status, { message: error.message, detail: error.detail || undefined });
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const header = request.headers['coder-session-token'];
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      token: Array.isArray(header) ? header[0] : header,
    });
    const fault = takeFault(`${url.pathname}${url.search}`);
    if (!fault?.delayMs) {
      answer(request, response, fault);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) answer(request, response, fault);
    }, fault.delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    admin,
    addUser,
    issueToken,
    addWorkspace(input) {
      const now = new Date();
      const w: StandInWorkspace = {
        id: randomUUID(),
        templateId: randomUUID(),
        templateName: 'contractor-workspace',
        createdAt: now,
        lastUsedAt: now,
        dormantAt: null,
        deletingAt: null,
        transition: 'start',
        buildStatus: 'running',
        buildCreatedAt: now,
        deleted: false,
        ...input,
      };
      if (input.transition === 'stop' && input.buildStatus === undefined) w.buildStatus = 'stopped';
      workspaces.set(w.id, w);
      return w;
    },
    deleteWorkspace(id) {
      const w = workspaces.get(id);
      if (!w) throw new Error(`no workspace ${id} in the stand-in`);
      Object.assign(w, {
        deleted: true,
        transition: 'delete',
        buildStatus: 'deleted',
        buildCreatedAt: new Date(),
      });
    },
    deleteUser(id) {
      const user = users.get(id);
      if (!user) throw new Error(`no user ${id} in the stand-in`);
      user.deleted = true;
    },
    failNext(fault, times = 1) {
      faults.push({ ...fault, left: times });
    },
    requests,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
