import type { BlockSchema } from '../schema/attributes.js';
import { nestedBlockType } from '../schema/types.js';
import { valuesEqual } from '../values/equal.js';
import { formatPath, type AttributePath } from '../values/path.js';
import { isUnknown, isWhollyKnown, type ObjectValue, type Value } from '../values/value.js';
import type { CtyType } from '../values/types.js';

// Terraform rejects an apply result that contradicts the plan ("Provider produced
// inconsistent result"). The framework checks first, so the message names the
// attribute and blames the resource implementation, not Terraform.

export interface Inconsistency {
  path: AttributePath;
  detail: string;
}

export function checkAgainstPlan(
  schema: BlockSchema,
  planned: ObjectValue,
  applied: ObjectValue,
  path: AttributePath = [],
): Inconsistency[] {
  const found: Inconsistency[] = [];
  for (const [name, attr] of Object.entries(schema.attributes)) {
    const problem = compare(
      attr.type,
      planned[name] ?? null,
      applied[name] ?? null,
      attr.sensitive,
    );
    if (problem) found.push({ path: [...path, name], detail: problem });
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    const before = planned[name] ?? null;
    const after = applied[name] ?? null;
    if (nested.nesting === 'single' && isObject(before) && isObject(after)) {
      found.push(...checkAgainstPlan(nested.block, before, after, [...path, name]));
    } else if (nested.nesting === 'list' && sameLengthArrays(before, after)) {
      (before as Value[]).forEach((item, i) => {
        const other = (after as Value[])[i] ?? null;
        if (isObject(item) && isObject(other)) {
          found.push(...checkAgainstPlan(nested.block, item, other, [...path, name, i]));
        }
      });
    } else {
      const problem = compare(nestedBlockType(nested), before, after, false);
      if (problem) found.push({ path: [...path, name], detail: problem });
    }
  }
  return found;
}

function compare(
  type: CtyType,
  planned: Value,
  applied: Value,
  sensitive?: boolean,
): string | undefined {
  if (!isWhollyKnown(applied)) return 'is still unknown after apply; the resource must set it';
  if (!isWhollyKnown(planned) || valuesEqual(type, planned, applied)) return undefined;
  if (sensitive) return 'differs from the planned value (sensitive values not shown)';
  return `was planned as ${JSON.stringify(planned)} but apply returned ${JSON.stringify(applied)}`;
}

function isObject(value: Value): value is ObjectValue {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isUnknown(value);
}

function sameLengthArrays(a: Value, b: Value): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length;
}

export function describeInconsistencies(typeName: string, found: Inconsistency[]): string {
  return found
    .map((item) => `${typeName}: attribute ${formatPath(item.path)} ${item.detail}.`)
    .join('\n');
}
