import { describe, expect, it } from 'vitest';
import { valuesEqual } from '../../../provider/plugin/values/equal.js';
import { decodeJSON } from '../../../provider/plugin/values/json.js';
import { decodeMsgpack, encodeMsgpack } from '../../../provider/plugin/values/msgpack.js';
import { ValueError } from '../../../provider/plugin/values/path.js';
import { types, typeToJSON } from '../../../provider/plugin/values/types.js';
import { UNKNOWN, isUnknown, type Value } from '../../../provider/plugin/values/value.js';
import { APPLY_CONFIG_HEX, PLAN_CONFIG_HEX, STATE_JSON } from './golden/terraform-values.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (text: string) => Buffer.from(text, 'hex');

const capturedType = types.object({
  s: types.string,
  n_int: types.number,
  n_neg: types.number,
  n_float: types.number,
  n_tenth: types.number,
  n_big: types.number,
  b: types.bool,
  l: types.list(types.string),
  st: types.set(types.number),
  m: types.map(types.string),
  unknown_s: types.string,
  nothing: types.string,
  c: types.string,
  one: types.object({ x: types.string }),
  many: types.list(types.object({ y: types.number })),
});

const expected = {
  s: 'héllo',
  n_int: 42,
  n_neg: -7,
  n_float: 3.5,
  n_tenth: 0.1,
  n_big: '12345678901234567890',
  b: true,
  l: ['a', 'b'],
  st: [1, 2, 3],
  m: { k: 'v', empty: '' },
  nothing: null,
  c: null,
  one: { x: 'single' },
  many: [{ y: 1 }, { y: 2 }],
};

describe('values produced by real terraform', () => {
  it('decodes a planning config, refined unknown included', () => {
    const value = decodeMsgpack(capturedType, bytes(PLAN_CONFIG_HEX)) as Record<string, Value>;
    expect(isUnknown(value.unknown_s)).toBe(true);
    expect({ ...value, unknown_s: undefined }).toEqual({ ...expected, unknown_s: undefined });
  });

  it('decodes an apply config and survives a round trip unchanged', () => {
    const value = decodeMsgpack(capturedType, bytes(APPLY_CONFIG_HEX));
    expect(value).toMatchObject({ ...expected, unknown_s: expect.stringMatching(/^\d{4}-/) });
    const again = decodeMsgpack(capturedType, encodeMsgpack(capturedType, value));
    expect(again).toEqual(value);
  });

  it('decodes the state JSON terraform stored', () => {
    const value = decodeJSON(capturedType, STATE_JSON) as Record<string, Value>;
    expect(value).toEqual({ ...expected, c: 'done', unknown_s: expect.any(String) });
  });
});

describe('msgpack codec', () => {
  it('writes unknown as extension 0 (d4 00 00) and reads any extension as unknown', () => {
    expect(hex(encodeMsgpack(types.string, UNKNOWN))).toBe('d40000');
    expect(isUnknown(decodeMsgpack(types.string, bytes('d40000')))).toBe(true);
    expect(isUnknown(decodeMsgpack(types.number, bytes('d50c0000')))).toBe(true);
    expect(isUnknown(decodeMsgpack(types.list(types.string), bytes('c7030c8101c2')))).toBe(true);
  });

  it('treats nil and an empty DynamicValue as null', () => {
    expect(decodeMsgpack(types.string, bytes('c0'))).toBe(null);
    expect(decodeMsgpack(types.string, new Uint8Array())).toBe(null);
    expect(hex(encodeMsgpack(types.string, null))).toBe('c0');
  });

  it('reads numbers as int, float or decimal string and writes them back exactly', () => {
    expect(decodeMsgpack(types.number, bytes('2a'))).toBe(42);
    expect(decodeMsgpack(types.number, bytes('cb400c000000000000'))).toBe(3.5);
    expect(decodeMsgpack(types.number, bytes('a3302e31'))).toBe(0.1);
    expect(decodeMsgpack(types.number, bytes('a4312e3530'))).toBe(1.5);
    expect(hex(encodeMsgpack(types.number, 42))).toBe('2a');
    expect(hex(encodeMsgpack(types.number, 0.1))).toBe(hex(Buffer.from('a3302e31', 'hex')));
    expect(hex(encodeMsgpack(types.number, '12345678901234567890'))).toBe(
      'b4' + Buffer.from('12345678901234567890').toString('hex'),
    );
  });

  it('writes exactly the attributes of an object type', () => {
    const type = types.object({ a: types.string, b: types.number });
    const encoded = encodeMsgpack(type, { a: 'x', extra: 1 } as never);
    expect(decodeMsgpack(type, encoded)).toEqual({ a: 'x', b: null });
  });

  it('refuses a value of the wrong shape, naming the path', () => {
    const type = types.object({ tags: types.map(types.number) });
    const encoded = encodeMsgpack(types.object({ tags: types.map(types.string) }), {
      tags: { k: 'not a number' },
    });
    expect(() => decodeMsgpack(type, encoded)).toThrowError(ValueError);
    expect(() => decodeMsgpack(type, encoded)).toThrowError(/tags\["k"\]: expected number/);
    const extra = encodeMsgpack(types.object({ a: types.string, z: types.string }), {
      a: 'a',
      z: 'z',
    });
    expect(() => decodeMsgpack(types.object({ a: types.string }), extra)).toThrowError(
      /unsupported attribute "z"/,
    );
  });
});

describe('types and equality', () => {
  it('describes types as the JSON terraform expects', () => {
    const type = types.object({ m: types.map(types.list(types.bool)), s: types.set(types.string) });
    expect(typeToJSON(type)).toEqual([
      'object',
      { m: ['map', ['list', 'bool']], s: ['set', 'string'] },
    ]);
  });

  it('compares sets without order and unknown only with unknown', () => {
    const set = types.set(types.string);
    expect(valuesEqual(set, ['a', 'b'], ['b', 'a'])).toBe(true);
    expect(valuesEqual(types.list(types.string), ['a', 'b'], ['b', 'a'])).toBe(false);
    expect(valuesEqual(types.string, UNKNOWN, UNKNOWN)).toBe(true);
    expect(valuesEqual(types.string, UNKNOWN, 'a')).toBe(false);
    expect(valuesEqual(types.string, null, '')).toBe(false);
  });
});
