import { decode, encode, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import type { CtyType } from './types.js';
import { conform } from './conform.js';
import { writeNumber, type NumberValue } from './number.js';
import { isUnknown, type Value } from './value.js';

// Terraform's DynamicValue encoding (docs/plugin-protocol/object-wire-format.md):
// unknown is a msgpack extension. We write type 0 with one zero byte (`d4 00 00`)
// and read any extension type as unknown (Terraform also sends refined unknowns).
const UNKNOWN_EXTENSION_TYPE = 0;

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: UNKNOWN_EXTENSION_TYPE,
  encode: (input) => (isUnknown(input) ? new Uint8Array([0]) : null),
  decode: () => new ExtData(UNKNOWN_EXTENSION_TYPE, new Uint8Array()),
});

export function encodeMsgpack(type: CtyType, value: Value): Uint8Array {
  return encode(toWire(type, value), { extensionCodec });
}

/** An empty buffer means null, as it does for Terraform. */
export function decodeMsgpack(type: CtyType, bytes: Uint8Array | undefined | null): Value {
  if (!bytes || bytes.length === 0) return null;
  return conform(type, decode(bytes, { extensionCodec }), (raw) => raw instanceof ExtData);
}

/** Shapes a value for the wire: objects carry exactly their type's attributes. */
function toWire(type: CtyType, value: Value): unknown {
  if (value === null || isUnknown(value)) return value;
  switch (type.kind) {
    case 'list':
    case 'set':
      return (value as Value[]).map((item) => toWire(type.element, item));
    case 'map': {
      const entries = Object.entries(value as Record<string, Value>);
      return Object.fromEntries(entries.map(([k, v]) => [k, toWire(type.element, v)]));
    }
    case 'object': {
      const record = value as Record<string, Value>;
      return Object.fromEntries(
        Object.entries(type.attributes).map(([k, t]) => [k, toWire(t, record[k] ?? null)]),
      );
    }
    case 'number':
      return writeNumber(value as NumberValue);
    default:
      return value;
  }
}
