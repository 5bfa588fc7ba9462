import { types, type CtyType } from '../values/types.js';
import type { BlockSchema, NestedBlock } from './attributes.js';

/** The object type of a block's values: attributes plus nested blocks. */
export function blockType(schema: BlockSchema): CtyType {
  const attributes: Record<string, CtyType> = {};
  for (const [name, attr] of Object.entries(schema.attributes)) attributes[name] = attr.type;
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    attributes[name] = nestedBlockType(nested);
  }
  return types.object(attributes);
}

export function nestedBlockType(nested: NestedBlock): CtyType {
  const element = blockType(nested.block);
  if (nested.nesting === 'single') return element;
  return nested.nesting === 'list' ? types.list(element) : types.set(element);
}

/** Type lookups are frequent (every call decodes values), so remember them per schema. */
const cache = new WeakMap<BlockSchema, CtyType>();

export function cachedBlockType(schema: BlockSchema): CtyType {
  let type = cache.get(schema);
  if (!type) cache.set(schema, (type = blockType(schema)));
  return type;
}
