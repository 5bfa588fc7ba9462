import { decodeJSON } from '../values/json.js';
import { decodeMsgpack, encodeMsgpack } from '../values/msgpack.js';
import type { CtyType } from '../values/types.js';
import type { ObjectValue, Value } from '../values/value.js';

/** tfplugin6.DynamicValue: Terraform sends msgpack; JSON is allowed too. */
export interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}

export function fromDynamic(
  type: CtyType,
  value: DynamicValue | null | undefined,
): ObjectValue | null {
  if (value?.msgpack && value.msgpack.length > 0)
    return asObject(decodeMsgpack(type, value.msgpack));
  if (value?.json && value.json.length > 0) return asObject(decodeJSON(type, value.json));
  return null;
}

export function toDynamic(type: CtyType, value: Value): DynamicValue {
  return { msgpack: encodeMsgpack(type, value) };
}

function asObject(value: Value): ObjectValue | null {
  return value as ObjectValue | null;
}
