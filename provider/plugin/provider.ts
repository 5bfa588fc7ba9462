import type { BlockSchema, Model } from './schema/attributes.js';
import type { AttributePath } from './values/path.js';
import type { UnknownValue } from './values/value.js';
import type { Logger } from './transport/log.js';

// The public shape of a provider built on this framework, modelled on HashiCorp's
// terraform-plugin-framework: a resource is a schema plus create/read/update/delete
// (and import) functions; the framework does the protocol, planning and checking.

/** A planned value: computed attributes may still be unknown. */
export type Planned<M> = { [K in keyof M]: M[K] | UnknownValue };

/** What every call receives. */
export interface CallContext<P> {
  /** What the provider's configure() returned. */
  provider: P;
  /** Aborted when Terraform asks the provider to stop (Ctrl-C). */
  signal: AbortSignal;
  log: Logger;
  /** Adds a warning shown to the user; errors are thrown (DiagnosticError for a path). */
  warn(summary: string, detail?: string, path?: AttributePath): void;
}

export interface ResourceDefinition<S extends BlockSchema = BlockSchema, P = unknown> {
  schema: S;
  /** Bump when the stored state's shape changes, and handle old versions in upgradeState. */
  version?: number;
  /** Returns the new state; attributes left out keep their planned value. */
  create(
    ctx: CallContext<P> & { plan: Planned<Model<S>>; config: Model<S> },
  ): Promise<Partial<Model<S>>>;
  /** Returns the current state, or null when the object no longer exists (Terraform re-creates it). */
  read(ctx: CallContext<P> & { state: Model<S> }): Promise<Partial<Model<S>> | null>;
  /** Needed unless every configurable attribute requires replacement. */
  update?(
    ctx: CallContext<P> & { plan: Planned<Model<S>>; prior: Model<S>; config: Model<S> },
  ): Promise<Partial<Model<S>>>;
  delete(ctx: CallContext<P> & { state: Model<S> }): Promise<void>;
  /** Turns an import ID into state read() can start from; it must set every required attribute. */
  importState?(ctx: CallContext<P> & { id: string }): Promise<Partial<Model<S>>>;
  /** Adjusts the plan after the framework's rules; may call requireReplace(path). */
  modifyPlan?(
    ctx: CallContext<P> & {
      prior: Model<S> | null;
      config: Model<S>;
      plan: Planned<Model<S>>;
      requireReplace(path: AttributePath): void;
    },
  ): Promise<Planned<Model<S>> | void>;
  /** Cross-attribute checks on configuration (values may be unknown during validate). */
  validate?(ctx: { config: Planned<Model<S>>; warn: CallContext<P>['warn'] }): void;
  /** Rewrites state stored by an older schema version (raw JSON) into the current shape. */
  upgradeState?(ctx: { version: number; state: Record<string, unknown> }): Record<string, unknown>;
}

export interface DataSourceDefinition<S extends BlockSchema = BlockSchema, P = unknown> {
  schema: S;
  read(ctx: CallContext<P> & { config: Model<S> }): Promise<Partial<Model<S>>>;
  validate?(ctx: { config: Planned<Model<S>>; warn: CallContext<P>['warn'] }): void;
}

export interface ProviderDefinition<S extends BlockSchema = BlockSchema, P = unknown> {
  /** The provider's type name; resource `x` becomes `<name>_x`. */
  name: string;
  schema: S;
  configure?(ctx: {
    config: Model<S>;
    terraformVersion: string;
    log: Logger;
    warn: CallContext<P>['warn'];
  }): Promise<P> | P;
  // Resources of every schema live side by side in one record.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resources: Record<string, ResourceDefinition<any, P>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  dataSources?: Record<string, DataSourceDefinition<any, P>>;
}

/** Identity functions that let TypeScript infer the model types from the schema. */
export function defineResource<S extends BlockSchema, P = unknown>(
  definition: ResourceDefinition<S, P>,
): ResourceDefinition<S, P> {
  return definition;
}

export function defineDataSource<S extends BlockSchema, P = unknown>(
  definition: DataSourceDefinition<S, P>,
): DataSourceDefinition<S, P> {
  return definition;
}

export function defineProvider<S extends BlockSchema, P = unknown>(
  definition: ProviderDefinition<S, P>,
): ProviderDefinition<S, P> {
  return definition;
}

export function defineSchema<S extends BlockSchema>(schema: S): S {
  return schema;
}
