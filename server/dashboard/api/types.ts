/**
 * The API's shapes as the dashboard names them, every one taken from the types
 * generated from docs/openapi.json (./openapi.ts, `npm run dashboard:types`):
 * none is written out here, so a change of the API shows as a type error.
 */
import type { paths } from './openapi.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The API paths that answer method M. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];

type Operation<P extends PathWith<M>, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends PathWith<M>, M extends Method> = Operation<P, M>['responses'];
type Json<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;

/** The JSON of the answer with status S to M on P (undefined for one without a body). */
export type ResponseAt<
  P extends PathWith<M>,
  M extends Method,
  S extends keyof Responses<P, M>,
> = Json<Responses<P, M>[S]>;

/** The JSON of a successful answer (2xx) to M on P; undefined for 204. */
export type ResponseOf<P extends PathWith<M>, M extends Method> = ResponseAt<
  P,
  M,
  Extract<keyof Responses<P, M>, 200 | 201 | 204>
>;

/** The JSON body M on P takes (never: none). */
export type BodyOf<P extends PathWith<M>, M extends Method> =
  Operation<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

type PathParams<O> = O extends { parameters: { path: infer X } } ? X : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** What a call of M on P is given: its path parameters, query and body, each where it has one. */
export type RequestOf<P extends PathWith<M>, M extends Method> = ([
  PathParams<Operation<P, M>>,
] extends [never]
  ? { path?: never }
  : { path: PathParams<Operation<P, M>> }) &
  ([Query<Operation<P, M>>] extends [never]
    ? { query?: never }
    : { query?: Query<Operation<P, M>> }) &
  ([BodyOf<P, M>] extends [never] ? { body?: never } : { body: BodyOf<P, M> });

/** Every error answer: `{ error: { code, message } }`. */
export type ApiErrorBody = ResponseAt<'/api/v1/session', 'get', 401>;

export type Me = ResponseOf<'/api/v1/session', 'get'>;
export type Summary = ResponseOf<'/api/v1/summary', 'get'>;
export type DatabaseList = ResponseOf<'/api/v1/databases', 'get'>;
export type DatabaseItem = DatabaseList['items'][number];
export type DatabaseQuery = NonNullable<RequestOf<'/api/v1/databases', 'get'>['query']>;
/** A row of the databases table: from a snapshot (with connections now) or the API (without). */
export type DatabaseRow = DatabaseItem & { connections?: number };
export type DatabaseDetail = ResponseOf<'/api/v1/databases/{name}', 'get'>;
export type DatabaseStats = ResponseOf<'/api/v1/databases/{name}/stats', 'get'>;
export type Attachment = ResponseOf<'/api/v1/databases/{name}/attachments', 'get'>['items'][number];
export type CreateDatabase = BodyOf<'/api/v1/databases', 'post'>;
export type Credential = NonNullable<ResponseAt<'/api/v1/databases', 'post', 201>['credential']>;
export type AuditEvent = ResponseOf<'/api/v1/events', 'get'>['items'][number];
export type Backup = ResponseOf<'/api/v1/backups', 'get'>['items'][number];
export type Setting = ResponseOf<'/api/v1/settings', 'get'>['items'][number];
export type SettingsChange = BodyOf<'/api/v1/settings', 'patch'>;
export type PolicyState = ResponseOf<'/api/v1/policy', 'get'>['items'][number];
export type DatabaseSnapshot = ResponseOf<
  '/api/v1/databases/{name}/snapshots',
  'get'
>['items'][number];
export type SessionGroup = ResponseOf<'/api/v1/databases/{name}/sessions', 'get'>['items'][number];
export type Orphans = ResponseOf<'/api/v1/orphans', 'get'>;
/** The cleanup plan (GET, the dry run), or what running it did (POST, with results). */
export type CleanupPlan = ResponseOf<'/api/v1/cleanup', 'get'> &
  Partial<Pick<ResponseOf<'/api/v1/cleanup', 'post'>, 'results'>>;

/**
 * A message of the live feed, /api/v1/live (docs/api.md, "Live updates"). A
 * WebSocket is not in the OpenAPI document, so its envelope is named here; what
 * it carries is the API's: the summary as GET /api/v1/summary, the first
 * databases as GET /api/v1/databases plus their connections now, and the newest
 * events as GET /api/v1/events.
 */
export interface Snapshot {
  type: 'snapshot';
  at: string;
  summary: Summary;
  databases: Pick<DatabaseList, 'total' | 'limit'> & {
    items: (DatabaseItem & { connections: number })[];
  };
  events: AuditEvent[];
}
export type PolicySettings = ResponseOf<'/api/v1/policy/settings', 'get'>;
export type PolicySettingsChange = BodyOf<'/api/v1/policy/settings', 'patch'>;
export type Sample = ResponseOf<'/api/v1/databases/{name}/samples', 'get'>['items'][number];
