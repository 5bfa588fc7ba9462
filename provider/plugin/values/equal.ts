import type { CtyType } from './types.js';
import { isUnknown, type Value } from './value.js';

/**
 * Value equality as Terraform sees it: sets are unordered, unknown equals only
 * unknown, null equals only null.
 */
export function valuesEqual(type: CtyType, a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (isUnknown(a) || isUnknown(b)) return isUnknown(a) && isUnknown(b);
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return a === b;
    case 'list':
      return arraysEqual(type.element, a as Value[], b as Value[]);
    case 'set':
      return setsEqual(type.element, a as Value[], b as Value[]);
    case 'map':
      return recordsEqual(
        () => type.element,
        a as Record<string, Value>,
        b as Record<string, Value>,
      );
    case 'object':
      return recordsEqual(
        (key) => type.attributes[key],
        a as Record<string, Value>,
        b as Record<string, Value>,
      );
  }
}

function arraysEqual(element: CtyType, a: Value[], b: Value[]): boolean {
  return a.length === b.length && a.every((item, i) => valuesEqual(element, item, b[i] ?? null));
}

function setsEqual(element: CtyType, a: Value[], b: Value[]): boolean {
  if (a.length !== b.length) return false;
  const unmatched = [...b];
  for (const item of a) {
    const index = unmatched.findIndex((other) => valuesEqual(element, item, other));
    if (index < 0) return false;
    unmatched.splice(index, 1);
  }
  return true;
}

function recordsEqual(
  typeOf: (key: string) => CtyType | undefined,
  a: Record<string, Value>,
  b: Record<string, Value>,
): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const type = typeOf(key);
    if (!type || !(key in a) || !(key in b)) return false;
    if (!valuesEqual(type, a[key] ?? null, b[key] ?? null)) return false;
  }
  return true;
}
