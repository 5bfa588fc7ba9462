/**
 * The control plane over real HTTP against a real DevDB: tokens of each kind,
 * a fetch wrapper, and a check of every JSON response against the schema the
 * served OpenAPI document gives for its operation and status.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { createApiToken, revokeApiToken } from '../../../provisioning/index.js';
import { startControlPlane, type RunningControlPlane } from '../../../server/api/index.js';
import type { ControlPlaneOptions } from '../../../server/api/context.js';
import { startTestDevDb, type TestDevDb } from '../../helpers/devdb.js';

export interface Tokens {
  admin: string;
  viewer: string;
  revoked: string;
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
  /** Sent as is (bad JSON, oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface ApiHarness {
  devdb: TestDevDb;
  plane: RunningControlPlane;
  tokens: Tokens;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** Operations and statuses whose responses were checked against the document. */
  validated: Set<string>;
  stop(): Promise<void>;
}

type OpenApi = { paths: Record<string, Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Validators for `<METHOD> <template> <status>`, built from the served document. */
function responseValidator(doc: OpenApi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const cache = new Map<string, ValidateFunction>();
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (method: string, path: string, status: number, body: string) => {
    const bare = path.split('?')[0]!;
    const found = templates.find((t) => t.pattern.test(bare));
    if (!found) throw new Error(`${method} ${bare} is not in the OpenAPI document`);
    const operation = doc.paths[found.template]![method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${found.template} is not in the OpenAPI document`);
    const key = `${method} ${found.template} ${status}`;
    const response = operation.responses?.[String(status)];
    if (!response)
      throw new Error(`${key}: the OpenAPI document declares no ${status} response (${body})`);
    const schema = response.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${key}: no application/json schema in the document`);
    if (!cache.has(key)) cache.set(key, ajv.compile(schema));
    return { key, validate: cache.get(key)! };
  };
}

export async function startApiHarness(
  extra: Partial<ControlPlaneOptions> = {},
  devdbOptions: Parameters<typeof startTestDevDb>[0] = {},
): Promise<ApiHarness> {
  const devdb = await startTestDevDb(devdbOptions);
  let plane: RunningControlPlane | undefined;
  const stop = async () => {
    await plane?.close();
    await devdb.stop();
  };
  try {
    const admin = await createApiToken(devdb.pool, { name: 'admin', role: 'admin' });
    const viewer = await createApiToken(devdb.pool, { name: 'viewer', role: 'viewer' });
    const revoked = await createApiToken(devdb.pool, { name: 'gone', role: 'admin' });
    await revokeApiToken(devdb.pool, { name: 'gone' });
    plane = await startControlPlane({
      pool: devdb.pool,
      adminUrl: devdb.provisionerUrl,
      port: 0,
      ...extra,
    });
    const url = plane.url;
    const doc = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as OpenApi;
    const validatorFor = responseValidator(doc);
    const validated = new Set<string>();
    const call = async (method: string, path: string, options: CallOptions = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.cookie) headers.cookie = options.cookie;
      if (options.csrf) headers['x-csrf-token'] = options.csrf;
      let payload: string | undefined = options.rawBody;
      if (options.body !== undefined) payload = JSON.stringify(options.body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body: payload });
      const text = await res.text();
      const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
      const json = isJson && text ? JSON.parse(text) : undefined;
      if (
        isJson &&
        path !== '/api/v1/openapi.json' &&
        !(res.status === 404 && json?.error?.message?.startsWith('no route'))
      ) {
        const { key, validate } = validatorFor(method, path, res.status, text);
        expect(
          validate(json),
          `${key} does not match the OpenAPI document: ${JSON.stringify(validate.errors)}\n${text}`,
        ).toBe(true);
        validated.add(key);
      }
      return { status: res.status, headers: res.headers, json, text };
    };
    return {
      devdb,
      plane,
      tokens: { admin: admin.token, viewer: viewer.token, revoked: revoked.token },
      call,
      validated,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `name=value` pairs of a response's Set-Cookie headers, for a Cookie header. */
export function cookieHeader(headers: Headers): string {
  return headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
