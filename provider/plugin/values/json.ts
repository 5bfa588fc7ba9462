import type { CtyType } from './types.js';
import { conform } from './conform.js';
import type { Value } from './value.js';

// Terraform hands UpgradeResourceState the state as JSON: objects and maps as JSON
// objects, lists and sets as arrays, numbers as JSON numbers. State never holds
// unknown values.

export function decodeJSON(type: CtyType, text: string | Uint8Array): Value {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (source.trim() === '') return null;
  return conform(type, JSON.parse(source), () => false);
}
