import { typeToJSON } from '../values/types.js';
import type { Attribute, BlockSchema, NestedBlock } from './attributes.js';

// The declaration as Terraform's GetProviderSchema wants it (tfplugin6 Schema).

export interface ProtoSchema {
  version: number;
  block: ProtoBlock;
}

interface ProtoBlock {
  version: number;
  attributes: object[];
  block_types: object[];
  description: string;
  description_kind: 'MARKDOWN';
  deprecated: boolean;
}

export function schemaToProto(schema: BlockSchema, version = 0): ProtoSchema {
  return { version, block: blockToProto(schema, version) };
}

function blockToProto(schema: BlockSchema, version = 0): ProtoBlock {
  return {
    version,
    attributes: Object.entries(schema.attributes).map(([name, attr]) =>
      attributeToProto(name, attr),
    ),
    block_types: Object.entries(schema.blocks ?? {}).map(([name, nested]) =>
      nestedToProto(name, nested),
    ),
    description: schema.description ?? '',
    description_kind: 'MARKDOWN',
    deprecated: schema.deprecated !== undefined,
  };
}

function attributeToProto(name: string, attr: Attribute<unknown>): object {
  return {
    name,
    type: Buffer.from(JSON.stringify(typeToJSON(attr.type))),
    description: attr.description ?? '',
    description_kind: 'MARKDOWN',
    required: attr.required === true,
    optional: attr.optional === true,
    computed: attr.computed === true,
    sensitive: attr.sensitive === true,
    deprecated: attr.deprecated !== undefined,
  };
}

function nestedToProto(name: string, nested: NestedBlock): object {
  return {
    type_name: name,
    block: { ...blockToProto(nested.block), description: nested.description ?? '' },
    nesting: nested.nesting.toUpperCase(),
    min_items: nested.minItems ?? 0,
    max_items: nested.maxItems ?? 0,
  };
}
