/**
 * The schema builders (server/api/schemas.ts): they write the JSON Schema the
 * API has always declared (the OpenAPI drift test holds the whole document to
 * it), and their static types are what handlers and other code get; the type
 * assertions here are checked by tsc.
 */
import { Type, type Static } from 'typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DatabaseStatus } from '../../../provisioning/index.js';
import {
  nullable,
  nullableDateTime,
  object,
  query,
  record,
  stringEnum,
  withErrors,
  type BackupRecord,
  type CleanupAction,
  type Credential,
  type DatabaseRow,
  type ErrorBody,
} from '../../../server/api/schemas.js';

const json = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

describe('the schema builders', () => {
  it('write objects as the document has them: additionalProperties false, required, in that order', () => {
    const schema = object({ a: Type.String(), b: Type.Optional(Type.Integer()) });
    expect(JSON.stringify(schema)).toBe(
      '{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"integer"}}}',
    );
    expect(json(object({ a: Type.Optional(Type.String()) })).required).toEqual([]);
    expectTypeOf<Static<typeof schema>>().toEqualTypeOf<{ a: string; b?: number }>();
  });

  it('write nullable as a type array, not an anyOf', () => {
    expect(json(nullable(Type.String()))).toEqual({ type: ['string', 'null'] });
    expect(json(nullableDateTime)).toEqual({ type: ['string', 'null'], format: 'date-time' });
    expect(json(nullable(record(Type.Number())))).toEqual({
      type: ['object', 'null'],
      additionalProperties: { type: 'number' },
    });
    expect(() => nullable(nullable(Type.String()))).toThrow(/one type/);
  });

  it('write string enums with their type, from the as-const arrays', () => {
    const sort = stringEnum(['asc', 'desc'], { default: 'asc' });
    expect(json(sort)).toEqual({ type: 'string', enum: ['asc', 'desc'], default: 'asc' });
    expectTypeOf<Static<typeof sort>>().toEqualTypeOf<'asc' | 'desc'>();
  });

  it('refuse a query parameter that is neither optional nor defaulted', () => {
    expect(() => query({ limit: Type.Integer() })).toThrow(/limit/);
    const schema = query({
      limit: Type.Integer({ default: 10 }),
      user: Type.Optional(Type.String()),
    });
    expect(json(schema)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: 'integer', default: 10 }, user: { type: 'string' } },
    });
    expectTypeOf<Static<typeof schema>>().toEqualTypeOf<{ limit: number; user?: string }>();
  });

  it('give every route the error responses, 415 with a body (413)', () => {
    const responses = withErrors({ 200: object({}) }, [404, 413]);
    expect(Object.keys(responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '413',
      '415',
      '429',
      '500',
    ]);
    expect(json(responses[415])).toMatchObject({
      required: ['error'],
      description: 'the body is not JSON (Content-Type: application/json)',
    });
  });

  it('export the shared shapes as types', () => {
    expectTypeOf<ErrorBody>().toEqualTypeOf<{ error: { code: string; message: string } }>();
    expectTypeOf<DatabaseRow['status']>().toEqualTypeOf<DatabaseStatus>();
    // A response time: handlers give provisioning's Date, clients get the string.
    expectTypeOf<DatabaseRow['lastAccessed']>().toEqualTypeOf<Date | string | null>();
    expectTypeOf<BackupRecord['rowCounts']>().toEqualTypeOf<Record<string, number> | null>();
    expectTypeOf<Credential['sslmode']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<CleanupAction['workspaceId']>().toEqualTypeOf<string | undefined>();
  });
});
