import type { Attribute, BlockSchema, NestedBlock } from '../schema/attributes.js';
import { cachedBlockType } from '../schema/types.js';
import { valuesEqual } from '../values/equal.js';
import type { AttributePath } from '../values/path.js';
import { isUnknown, UNKNOWN, type ObjectValue, type Value } from '../values/value.js';

// The framework's planning rules, applied to Terraform's proposed new state:
// - an unset attribute with a default gets the default;
// - an unset computed attribute is unknown on create; on update it keeps its prior
//   value unless the object changes, then it is unknown (unless useStateForUnknown);
// - a changed requiresReplace attribute (or block) is reported for replacement.

export interface PlannedChange {
  planned: ObjectValue | null;
  requiresReplace: AttributePath[];
}

export function planChange(
  schema: BlockSchema,
  prior: ObjectValue | null,
  proposed: ObjectValue | null,
  config: ObjectValue | null,
): PlannedChange {
  if (proposed === null) return { planned: null, requiresReplace: [] };
  const planned = planBlock(schema, prior, proposed, config ?? {});
  const requiresReplace = prior === null ? [] : replacements(schema, prior, planned, []);
  return { planned, requiresReplace };
}

function planBlock(
  schema: BlockSchema,
  prior: ObjectValue | null,
  proposed: ObjectValue,
  config: ObjectValue,
): ObjectValue {
  const planned: ObjectValue = { ...proposed };
  const unset = (name: string) => (config[name] ?? null) === null;
  for (const [name, attr] of Object.entries(schema.attributes)) {
    if (!unset(name)) continue;
    if (attr.default !== undefined) planned[name] = attr.default as Value;
    else if (attr.computed && prior === null) planned[name] = UNKNOWN;
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    planned[name] = planNested(nested, prior?.[name] ?? null, planned[name] ?? null, config[name]);
  }
  if (prior !== null && !valuesEqual(cachedBlockType(schema), prior, planned)) {
    for (const [name, attr] of Object.entries(schema.attributes)) {
      if (unset(name) && becomesUnknownOnChange(attr)) planned[name] = UNKNOWN;
    }
  }
  return planned;
}

function becomesUnknownOnChange(attr: Attribute<unknown>): boolean {
  return attr.computed === true && attr.default === undefined && !attr.useStateForUnknown;
}

function planNested(
  nested: NestedBlock,
  prior: Value,
  proposed: Value,
  config: Value | undefined,
): Value {
  if (proposed === null || isUnknown(proposed)) return proposed;
  if (nested.nesting === 'single') {
    return planBlock(
      nested.block,
      asObject(prior),
      proposed as ObjectValue,
      asObject(config) ?? {},
    );
  }
  const priorItems = Array.isArray(prior) ? prior : [];
  const configItems = Array.isArray(config) ? config : [];
  return (proposed as Value[]).map((item, i) => {
    if (isUnknown(item) || item === null) return item;
    const priorItem = nested.nesting === 'list' ? asObject(priorItems[i] ?? null) : null;
    return planBlock(
      nested.block,
      priorItem,
      item as ObjectValue,
      asObject(configItems[i] ?? null) ?? {},
    );
  });
}

function asObject(value: Value | undefined): ObjectValue | null {
  return value && typeof value === 'object' && !Array.isArray(value) && !isUnknown(value)
    ? (value as ObjectValue)
    : null;
}

function replacements(
  schema: BlockSchema,
  prior: ObjectValue,
  planned: ObjectValue,
  path: AttributePath,
): AttributePath[] {
  const paths: AttributePath[] = [];
  for (const [name, attr] of Object.entries(schema.attributes)) {
    const changed = !valuesEqual(attr.type, prior[name] ?? null, planned[name] ?? null);
    if (attr.requiresReplace && changed) paths.push([...path, name]);
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    const before = prior[name] ?? null;
    const after = planned[name] ?? null;
    const type = cachedBlockType({ attributes: {}, blocks: { [name]: nested } });
    if (nested.requiresReplace && !valuesEqual(type, { [name]: before }, { [name]: after })) {
      paths.push([...path, name]);
    } else {
      paths.push(...nestedReplacements(nested, before, after, [...path, name]));
    }
  }
  return paths;
}

function nestedReplacements(
  nested: NestedBlock,
  prior: Value,
  planned: Value,
  path: AttributePath,
): AttributePath[] {
  if (nested.nesting === 'single') {
    const before = asObject(prior);
    const after = asObject(planned);
    return before && after ? replacements(nested.block, before, after, path) : [];
  }
  if (nested.nesting !== 'list' || !Array.isArray(prior) || !Array.isArray(planned)) return [];
  return planned.flatMap((item, i) => {
    const before = asObject(prior[i] ?? null);
    const after = asObject(item);
    return before && after ? replacements(nested.block, before, after, [...path, i]) : [];
  });
}
