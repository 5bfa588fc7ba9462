import type { CtyType } from './types.js';
import { conform } from './conform.js';
import { readNumber } from './number.js';
import type { Value } from './value.js';

// Terraform hands UpgradeResourceState the state as JSON: objects and maps as JSON
// objects, lists and sets as arrays, numbers as JSON numbers. State never holds
// unknown values.

export function decodeJSON(type: CtyType, text: string | Uint8Array): Value {
  return conform(type, parseJSONExact(text), () => false);
}

/** JSON tokens: a whole string (so digits inside strings are skipped) or a number. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse rounds numbers to float64, which would turn 12345678901234567890 in state
 * into a perpetual diff. Numbers float64 cannot hold exactly are parsed as decimal
 * strings instead, which the number type keeps intact (see number.ts).
 */
export function parseJSONExact(text: string | Uint8Array): unknown {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (source.trim() === '') return null;
  const exact = source.replace(STRING_OR_NUMBER, (token) =>
    token.startsWith('"') || typeof readNumber(token) === 'number' ? token : `"${token}"`,
  );
  return JSON.parse(exact);
}
