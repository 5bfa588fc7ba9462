// cty types: the type system of Terraform values. One declaration of a type drives
// how values are encoded (msgpack, JSON), compared and described in the schema.

export type CtyType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'list'; element: CtyType }
  | { kind: 'set'; element: CtyType }
  | { kind: 'map'; element: CtyType }
  | { kind: 'object'; attributes: Readonly<Record<string, CtyType>> };

export const types = {
  string: { kind: 'string' } as CtyType,
  number: { kind: 'number' } as CtyType,
  bool: { kind: 'bool' } as CtyType,
  list: (element: CtyType): CtyType => ({ kind: 'list', element }),
  set: (element: CtyType): CtyType => ({ kind: 'set', element }),
  map: (element: CtyType): CtyType => ({ kind: 'map', element }),
  object: (attributes: Record<string, CtyType>): CtyType => ({ kind: 'object', attributes }),
};

/** The JSON form Terraform expects in `Schema.Attribute.type`, e.g. `["map","string"]`. */
export function typeToJSON(type: CtyType): unknown {
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return type.kind;
    case 'list':
    case 'set':
    case 'map':
      return [type.kind, typeToJSON(type.element)];
    case 'object':
      return [
        'object',
        Object.fromEntries(Object.entries(type.attributes).map(([k, t]) => [k, typeToJSON(t)])),
      ];
  }
}

/** A short human name for messages: `list of string`. */
export function describeType(type: CtyType): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind} of ${describeType(type.element)}`;
    case 'object':
      return 'object';
    default:
      return type.kind;
  }
}
