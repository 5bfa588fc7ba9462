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

function mapEntries<T, R>(
  record: Readonly<Record<string, T>>,
  convert: (key: string, item: T) => R,
): Record<string, R> {
  const result: Record<string, R> = {};
  for (const [key, item] of Object.entries(record)) result[key] = convert(key, item);
  return result;
}

function describeRaw(raw: unknown): string {
  if (Array.isArray(raw)) return 'a sequence';
  return typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
}

/**
 * Removes object attributes the type no longer declares. Stored state may still hold
 * attributes a newer schema removed; like HashiCorp's framework, upgrading ignores them.
 */
export function dropUndeclared(type: CtyType, raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return raw;
  switch (type.kind) {
    case 'list':
    case 'set':
      return Array.isArray(raw) ? raw.map((item) => dropUndeclared(type.element, item)) : raw;
    case 'map':
      return isRecord(raw)
        ? mapEntries(raw, (_key, item) => dropUndeclared(type.element, item))
        : raw;
    case 'object': {
      if (!isRecord(raw)) return raw;
      const kept: Record<string, unknown> = {};
      for (const [key, attributeType] of Object.entries(type.attributes)) {
        if (key in raw) kept[key] = dropUndeclared(attributeType, raw[key]);
      }
      return kept;
    }
    default:
      return raw;
  }
}
