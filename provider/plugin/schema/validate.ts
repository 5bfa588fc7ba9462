import { isUnknown, isWhollyKnown, type ObjectValue, type Value } from '../values/value.js';
import type { AttributePath } from '../values/path.js';
import type { BlockSchema, NestedBlock } from './attributes.js';

export interface Problem {
  path: AttributePath;
  summary: string;
  detail: string;
}

/**
 * Checks a configuration against the declaration: validators, block item counts.
 * Unknown values (e.g. variables during `terraform validate`) are skipped: only what
 * is known can be judged. Terraform itself checks required/optional and types.
 */
export function validateBlock(
  schema: BlockSchema,
  value: ObjectValue | null,
  path: AttributePath = [],
): Problem[] {
  if (value === null) return [];
  const problems: Problem[] = [];
  for (const [name, attr] of Object.entries(schema.attributes)) {
    const item = value[name] ?? null;
    if (item === null || !isWhollyKnown(item)) continue;
    for (const validator of attr.validators ?? []) {
      const message = validator(item as never);
      if (message) {
        problems.push({ path: [...path, name], summary: `Invalid ${name}`, detail: message });
      }
    }
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    problems.push(...validateNested(name, nested, value[name] ?? null, [...path, name]));
  }
  return problems;
}

function validateNested(
  name: string,
  nested: NestedBlock,
  value: Value,
  path: AttributePath,
): Problem[] {
  if (value === null || isUnknown(value)) return [];
  if (nested.nesting === 'single') return validateBlock(nested.block, value as ObjectValue, path);
  const items = value as Value[];
  const problems = countProblems(name, nested, items, path);
  items.forEach((item, i) => {
    if (isUnknown(item)) return;
    const itemPath = nested.nesting === 'list' ? [...path, i] : path;
    problems.push(...validateBlock(nested.block, item as ObjectValue, itemPath));
  });
  return problems;
}

function countProblems(
  name: string,
  nested: NestedBlock,
  items: Value[],
  path: AttributePath,
): Problem[] {
  const { minItems, maxItems } = nested;
  if (minItems !== undefined && items.length < minItems) {
    const detail = `At least ${minItems} "${name}" block(s) are required.`;
    return [{ path, summary: `Too few ${name} blocks`, detail }];
  }
  if (maxItems !== undefined && items.length > maxItems) {
    const detail = `No more than ${maxItems} "${name}" block(s) are allowed.`;
    return [{ path, summary: `Too many ${name} blocks`, detail }];
  }
  return [];
}
