import { describeType, type CtyType } from './types.js';
import { UNKNOWN, type Value } from './value.js';
import { ValueError, type AttributePath } from './path.js';
import { readNumber } from './number.js';

/**
 * Turns a decoded wire value (from msgpack or JSON) into a Value of the given type,
 * checking its shape on the way. `isUnknownMarker` recognises the codec's own
 * representation of an unknown value.
 */
export function conform(
  type: CtyType,
  raw: unknown,
  isUnknownMarker: (raw: unknown) => boolean,
  path: AttributePath = [],
): Value {
  if (raw === null || raw === undefined) return null;
  if (isUnknownMarker(raw)) return UNKNOWN;
  const fail = (): never => {
    throw new ValueError(`expected ${describeType(type)}, got ${describeRaw(raw)}`, path);
  };
  switch (type.kind) {
    case 'string':
      return typeof raw === 'string' ? raw : fail();
    case 'bool':
      return typeof raw === 'boolean' ? raw : fail();
    case 'number':
      return readNumber(raw) ?? fail();
    case 'list':
    case 'set':
      if (!Array.isArray(raw)) return fail();
      return raw.map((item, i) => conform(type.element, item, isUnknownMarker, [...path, i]));
    case 'map':
      if (!isRecord(raw)) return fail();
      return mapEntries(raw, (key, item) =>
        conform(type.element, item, isUnknownMarker, [...path, { key }]),
      );
    case 'object':
      if (!isRecord(raw)) return fail();
      return conformObject(type.attributes, raw, isUnknownMarker, path);
  }
}

function conformObject(
  attributes: Readonly<Record<string, CtyType>>,
  raw: Record<string, unknown>,
  isUnknownMarker: (raw: unknown) => boolean,
  path: AttributePath,
): Value {
  for (const key of Object.keys(raw)) {
    if (!(key in attributes)) throw new ValueError(`unsupported attribute "${key}"`, path);
  }
  return mapEntries(attributes, (key, type) =>
    conform(type, raw[key], isUnknownMarker, [...path, key]),
  );
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !ArrayBuffer.isView(raw);
}

function mapEntries<T>(
  record: Readonly<Record<string, T>>,
  convert: (key: string, item: T) => Value,
): Record<string, Value> {
  const result: Record<string, Value> = {};
  for (const [key, item] of Object.entries(record)) result[key] = convert(key, item);
  return result;
}

function describeRaw(raw: unknown): string {
  if (Array.isArray(raw)) return 'a sequence';
  return typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
}
