// How Terraform values look in JavaScript:
//   string → string, number → number (a decimal string if float64 cannot hold it
//   exactly: see number.ts), bool → boolean, list/set → array,
//   map/object → plain object, null → null, unknown → the UNKNOWN marker.

/** A value Terraform will only know after apply ("known after apply"). */
export class UnknownValue {
  // A private member makes the class nominal: no plain object passes for unknown.
  protected readonly unknownBrand = true;

  toString(): string {
    return '(known after apply)';
  }
}

export const UNKNOWN: UnknownValue = new UnknownValue();

export type Value =
  string | number | boolean | null | UnknownValue | Value[] | { [key: string]: Value };

export type ObjectValue = { [key: string]: Value };

export function isUnknown(value: unknown): value is UnknownValue {
  return value instanceof UnknownValue;
}

/** True when no part of the value is unknown. */
export function isWhollyKnown(value: Value): boolean {
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isWhollyKnown);
  return true;
}
