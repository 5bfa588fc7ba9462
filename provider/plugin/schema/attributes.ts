import { types, type CtyType } from '../values/types.js';
import type { AttributePath } from '../values/path.js';
import { oneOf, type Validator } from './validators.js';

export type { Validator };

// Declarations of attributes and nested blocks. A schema is declared once; the
// framework derives from it the protocol schema, the value types, validation,
// planning behaviour and the reference documentation.

/** A cty type that remembers the JavaScript type of its values (for inference only). */
export type Typed<T> = CtyType & { readonly __value?: T };

export const t = {
  string: types.string as Typed<string>,
  number: types.number as Typed<number>,
  bool: types.bool as Typed<boolean>,
  list: <T>(element: Typed<T>): Typed<T[]> => types.list(element),
  set: <T>(element: Typed<T>): Typed<T[]> => types.set(element),
  map: <T>(element: Typed<T>): Typed<Record<string, T>> => types.map(element),
  /** An object of named attributes: each may be null (cty objects have no required parts). */
  object: <A extends Record<string, Typed<unknown>>>(
    attributes: A,
  ): Typed<{ [K in keyof A]: (A[K] extends Typed<infer T> ? T : never) | null }> =>
    types.object(attributes),
};

export interface AttributeOptions<T> {
  description?: string;
  /** Exactly one of required, optional, computed (or optional + computed) describes who sets it. */
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  /** Hidden in plans and output, and never logged. */
  sensitive?: boolean;
  /** Used when the configuration leaves the attribute unset; implies optional + computed. */
  default?: T;
  /** A change to this attribute destroys and re-creates the resource. */
  requiresReplace?: boolean;
  /** Computed attributes keep their prior value on update instead of becoming unknown. */
  useStateForUnknown?: boolean;
  validators?: readonly Validator<T>[];
  /** Marks the attribute deprecated; the text tells users what to do instead. */
  deprecated?: string;
}

/**
 * `Present` is true when the value can never be null once configured: a required
 * attribute, or one with a default. The model types use it (`string` vs `string | null`).
 */
export interface Attribute<
  T = unknown,
  Present extends boolean = boolean,
> extends AttributeOptions<T> {
  readonly kind: 'attribute';
  readonly type: Typed<T>;
  readonly __present?: Present;
}

type PresentWhen<O> = O extends { required: true }
  ? true
  : O extends { default: unknown }
    ? true
    : false;

export type NestingMode = 'single' | 'list' | 'set';

export interface NestedBlock<
  B extends BlockSchema = BlockSchema,
  N extends NestingMode = NestingMode,
> {
  readonly kind: 'block';
  readonly nesting: N;
  readonly block: B;
  readonly description?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly requiresReplace?: boolean;
}

export interface BlockSchema {
  description?: string;
  // Attributes of every value type live side by side; `any` is what lets a
  // Validator<string> sit next to a Validator<number>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  attributes: Record<string, Attribute<any>>;
  blocks?: Record<string, NestedBlock>;
  deprecated?: string;
}

function attributeOf<T, O extends AttributeOptions<T>>(
  type: Typed<T>,
  options: O,
  implied: readonly Validator<T>[] = [],
): Attribute<T, PresentWhen<O>> {
  const withDefault = options.default !== undefined;
  const attribute: Attribute<T, PresentWhen<O>> = {
    kind: 'attribute',
    type,
    ...options,
    ...(implied.length > 0 ? { validators: [...implied, ...(options.validators ?? [])] } : {}),
    optional: options.optional || withDefault || undefined,
    computed: options.computed || withDefault || undefined,
  };
  assertCoherent(attribute);
  return attribute;
}

function assertCoherent(attribute: Pick<Attribute, 'required' | 'optional' | 'computed'>): void {
  const { required, optional, computed } = attribute;
  if (!required && !optional && !computed) {
    throw new Error('an attribute must be required, optional or computed');
  }
  if (required && (optional || computed)) {
    throw new Error('a required attribute cannot also be optional or computed');
  }
}

export const attribute = {
  string: <const O extends AttributeOptions<string>>(options: O) => attributeOf(t.string, options),
  number: <const O extends AttributeOptions<number>>(options: O) => attributeOf(t.number, options),
  bool: <const O extends AttributeOptions<boolean>>(options: O) => attributeOf(t.bool, options),
  /**
   * A string that must be one of `values`: validated, and typed in the model as
   * their union (so resources read e.g. 'keep' | 'archive' | 'drop', not string).
   */
  enum: <
    const V extends readonly [string, ...string[]],
    const O extends AttributeOptions<V[number]>,
  >(
    values: V,
    options: O,
  ) => attributeOf(t.string as Typed<V[number]>, options, [oneOf(...values)]),
  list: <T, const O extends AttributeOptions<T[]>>(element: Typed<T>, options: O) =>
    attributeOf(t.list(element), options),
  set: <T, const O extends AttributeOptions<T[]>>(element: Typed<T>, options: O) =>
    attributeOf(t.set(element), options),
  map: <T, const O extends AttributeOptions<Record<string, T>>>(element: Typed<T>, options: O) =>
    attributeOf(t.map(element), options),
};

interface BlockOptions {
  description?: string;
  minItems?: number;
  maxItems?: number;
  requiresReplace?: boolean;
}

export const block = {
  single: <B extends BlockSchema>(
    schema: B,
    options: BlockOptions = {},
  ): NestedBlock<B, 'single'> => ({
    kind: 'block',
    nesting: 'single',
    block: schema,
    ...options,
  }),
  list: <B extends BlockSchema>(schema: B, options: BlockOptions = {}): NestedBlock<B, 'list'> => ({
    kind: 'block',
    nesting: 'list',
    block: schema,
    ...options,
  }),
  set: <B extends BlockSchema>(schema: B, options: BlockOptions = {}): NestedBlock<B, 'set'> => ({
    kind: 'block',
    nesting: 'set',
    block: schema,
    ...options,
  }),
};

/**
 * The JavaScript shape of a block's values, inferred from its declaration: required
 * attributes and those with a default are never null; the others may be.
 */
export type Model<B extends BlockSchema> = {
  -readonly [K in keyof B['attributes']]: B['attributes'][K] extends Attribute<infer T, infer P>
    ? P extends true
      ? T
      : T | null
    : never;
} & {
  -readonly [K in keyof NonNullable<B['blocks']>]: NonNullable<B['blocks']>[K] extends NestedBlock<
    infer C,
    infer N
  >
    ? N extends 'single'
      ? Model<C> | null
      : Model<C>[]
    : never;
};

/** Walks every attribute of a block and its nested blocks' declarations. */
export function* declaredAttributes(
  schema: BlockSchema,
  path: AttributePath = [],
): Generator<[AttributePath, Attribute<unknown>]> {
  for (const [name, attr] of Object.entries(schema.attributes)) {
    yield [[...path, name], attr as Attribute<unknown>];
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    yield* declaredAttributes(nested.block, [...path, name]);
  }
}
