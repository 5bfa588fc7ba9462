/**
 * The one place the dashboard calls the REST API: typed by the generated
 * OpenAPI types (./types.ts), it fills in path parameters and the query, sends
 * the session cookie and, on changes, the CSRF token, and turns an error answer
 * into an ApiFailure carrying the API's message. It touches no DOM: the page
 * gives it fetch, the CSRF token's source and what to do when the session has
 * ended (tests give fakes).
 */
import type { ApiErrorBody, Method, PathWith, RequestOf, ResponseOf } from './types.js';

/** An error answer of the API (or an answer that is not the API's JSON). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** The session check and login/logout: a 401 from these is their answer, not a session ending. */
const SESSION_PATH = '/api/v1/session';

export interface ApiClientOptions {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** The CSRF token to send with changes (the devdb_csrf cookie's value). */
  csrfToken: () => string | undefined;
  /** Called on a 401 from anything but the session routes: the session has ended. */
  onUnauthorized: () => void;
}

/** No required field: the request may be left out. */
type Args<R> = Record<never, never> extends R ? [request?: R] : [request: R];

type Call<M extends Method> = <P extends PathWith<M>>(
  path: P,
  ...request: Args<RequestOf<P, M>>
) => Promise<ResponseOf<P, M>>;

export type ApiClient = { readonly [M in Method]: Call<M> };

/** A request with its types forgotten, as the client sends it. */
interface AnyRequest {
  path?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

/** The URL of `template` (`/api/v1/databases/{name}`) with its parameters and query. */
export function apiUrl(template: string, request: AnyRequest = {}): string {
  const path = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = request.path?.[key];
    if (value === undefined) throw new Error(`${template}: no value for {${key}}`);
    return encodeURIComponent(String(value));
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.set(key, String(value));
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/** The value of the devdb_csrf cookie in `document.cookie`'s text. */
export function csrfFromCookie(cookie: string): string | undefined {
  const match = /(?:^|;\s*)devdb_csrf=([^;]+)/.exec(cookie);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  async function send(method: Method, template: string, request: AnyRequest = {}) {
    const url = apiUrl(template, request);
    const verb = method.toUpperCase();
    const headers: Record<string, string> = {};
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'get') {
      const csrf = options.csrfToken();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    const res = await options.fetch(url, {
      method: verb,
      headers,
      credentials: 'same-origin',
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await res.text();
    let json: unknown;
    let readable = true;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      readable = false;
    }
    if (!res.ok || !readable) {
      if (res.status === 401 && template !== SESSION_PATH) options.onUnauthorized();
      const error = readable ? (json as Partial<ApiErrorBody> | undefined)?.error : undefined;
      const fallback = readable ? '' : `: ${text.slice(0, 200)}`;
      throw new ApiFailure(
        res.status,
        error?.message ?? `${verb} ${url}: HTTP ${res.status}${fallback}`,
        error?.code,
      );
    }
    return json;
  }
  const call = <M extends Method>(method: M) =>
    ((path: string, request?: AnyRequest) => send(method, path, request)) as Call<M>;
  return {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    patch: call('patch'),
    delete: call('delete'),
  };
}
