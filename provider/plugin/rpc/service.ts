import type { BlockSchema } from '../schema/attributes.js';
import { schemaToProto } from '../schema/protocol.js';
import { cachedBlockType } from '../schema/types.js';
import { validateBlock } from '../schema/validate.js';
import { conform, dropUndeclared } from '../values/conform.js';
import { ValueError, type AttributePath } from '../values/path.js';
import { isUnknown, isWhollyKnown, type ObjectValue, type Value } from '../values/value.js';
import { valuesEqual } from '../values/equal.js';
import { parseJSONExact } from '../values/json.js';
import {
  diagnosticToProto,
  errorToDiagnostic,
  pathToProto,
  type Diagnostic,
} from '../diagnostics.js';
import type {
  CallContext,
  DataSourceDefinition,
  ProviderDefinition,
  ResourceDefinition,
} from '../provider.js';
import type { Logger } from '../transport/log.js';
import { checkAgainstPlan, describeInconsistencies } from './consistency.js';
import { fromDynamic, toDynamic, type DynamicValue } from './dynamic.js';
import { planChange } from './plan.js';

// The tfplugin6 Provider service: each method decodes Terraform's request, runs the
// framework's rules and the provider's functions, and encodes the answer. Anything
// thrown becomes a diagnostic; nothing here logs values (they may be secret).

/* eslint-disable @typescript-eslint/no-explicit-any -- requests are decoded protobuf objects (transport/services.ts) */
type Request = Record<string, any>;
type Handler = (request: Request) => Promise<object>;

type AnyResource = ResourceDefinition<BlockSchema, unknown>;
type AnyDataSource = DataSourceDefinition<BlockSchema, unknown>;

export class ProviderService {
  private providerData: unknown;
  private readonly stopping = new AbortController();
  private readonly resources: Map<string, AnyResource>;
  private readonly dataSources: Map<string, AnyDataSource>;

  constructor(
    private readonly definition: ProviderDefinition<BlockSchema, unknown>,
    private readonly log: Logger,
  ) {
    const prefixed = <T>(record: Record<string, T> = {}) =>
      new Map(Object.entries(record).map(([name, item]) => [`${definition.name}_${name}`, item]));
    this.resources = prefixed(definition.resources as Record<string, AnyResource>);
    this.dataSources = prefixed(definition.dataSources as Record<string, AnyDataSource>);
  }

  /** Method name → handler, for the gRPC server. */
  handlers(): Record<string, Handler> {
    const methods: Record<
      string,
      (request: Request, diagnostics: Diagnostic[]) => Promise<object>
    > = {
      GetMetadata: async () => this.metadata(),
      GetProviderSchema: async () => this.providerSchema(),
      ValidateProviderConfig: (r, d) => this.validateProviderConfig(r, d),
      ValidateResourceConfig: (r, d) => this.validateResourceConfig(r, d),
      ValidateDataResourceConfig: (r, d) => this.validateDataResourceConfig(r, d),
      UpgradeResourceState: (r) => this.upgradeResourceState(r),
      ConfigureProvider: (r, d) => this.configureProvider(r, d),
      ReadResource: (r, d) => this.readResource(r, d),
      PlanResourceChange: (r, d) => this.planResourceChange(r, d),
      ApplyResourceChange: (r, d) => this.applyResourceChange(r, d),
      ImportResourceState: (r, d) => this.importResourceState(r, d),
      ReadDataSource: (r, d) => this.readDataSource(r, d),
      StopProvider: async () => this.stopProvider(),
    };
    return Object.fromEntries(
      Object.entries(methods).map(([name, method]) => [name, this.guarded(name, method)]),
    );
  }

  /** Runs a method; thrown errors become error diagnostics in the response. */
  private guarded(
    name: string,
    method: (request: Request, diagnostics: Diagnostic[]) => Promise<object>,
  ): Handler {
    return async (request) => {
      const diagnostics: Diagnostic[] = [];
      // process.hrtime, not the performance global: its first use loads node:perf_hooks
      // (a cost of every launch's first call).
      const started = process.hrtime.bigint();
      let response: object = {};
      try {
        response = await method(request, diagnostics);
      } catch (error) {
        diagnostics.push(errorToDiagnostic(error));
      }
      const elapsed = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      this.log.debug(`${name} done`, { type: request.type_name, ms: elapsed, errors });
      if (name === 'StopProvider') return response;
      return { ...response, diagnostics: diagnostics.map(diagnosticToProto) };
    };
  }

  private context(diagnostics: Diagnostic[]): CallContext<unknown> {
    return {
      provider: this.providerData,
      signal: this.stopping.signal,
      log: this.log,
      warn: (summary, detail, path) =>
        diagnostics.push({ severity: 'warning', summary, detail, path }),
    };
  }

  private metadata(): object {
    return {
      server_capabilities: this.capabilities(),
      resources: [...this.resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...this.dataSources.keys()].map((type_name) => ({ type_name })),
    };
  }

  private capabilities(): object {
    // plan_destroy: Terraform asks us to plan destroys too (we plan null).
    // get_provider_schema_optional: Terraform may reuse the schema it already has.
    return { plan_destroy: true, get_provider_schema_optional: true, move_resource_state: false };
  }

  private providerSchema(): object {
    const schemas = <T extends { schema: BlockSchema; version?: number }>(items: Map<string, T>) =>
      Object.fromEntries(
        [...items].map(([name, item]) => [name, schemaToProto(item.schema, item.version ?? 0)]),
      );
    return {
      provider: schemaToProto(this.definition.schema),
      resource_schemas: schemas(this.resources),
      data_source_schemas: schemas(this.dataSources),
      server_capabilities: this.capabilities(),
    };
  }

  private async validateProviderConfig(request: Request, diagnostics: Diagnostic[]) {
    const config = decode(this.definition.schema, request.config);
    diagnostics.push(...problems(this.definition.schema, config));
    return {};
  }

  private async validateResourceConfig(request: Request, diagnostics: Diagnostic[]) {
    const resource = this.resource(request.type_name);
    return this.validateConfig(resource, request.config, diagnostics);
  }

  private async validateDataResourceConfig(request: Request, diagnostics: Diagnostic[]) {
    const dataSource = this.dataSource(request.type_name);
    return this.validateConfig(dataSource, request.config, diagnostics);
  }

  private validateConfig(
    item: AnyResource | AnyDataSource,
    dynamic: DynamicValue,
    diagnostics: Diagnostic[],
  ): object {
    const config = decode(item.schema, dynamic);
    diagnostics.push(...problems(item.schema, config));
    if (config && item.validate) {
      const { warn } = this.context(diagnostics);
      item.validate({ config: config as never, warn });
    }
    return {};
  }

  private async upgradeResourceState(request: Request) {
    const resource = this.resource(request.type_name);
    const json = request.raw_state?.json as Uint8Array | undefined;
    if (!json || json.length === 0) {
      throw new Error('State in the legacy flatmap format cannot be upgraded by this provider.');
    }
    let state = parseJSONExact(json) as Record<string, unknown>;
    const version = Number(request.version ?? 0);
    if (version < (resource.version ?? 0) && resource.upgradeState) {
      state = resource.upgradeState({ version, state });
    }
    const type = cachedBlockType(resource.schema);
    return {
      upgraded_state: toDynamic(
        type,
        conform(type, dropUndeclared(type, state), () => false),
      ),
    };
  }

  private async configureProvider(request: Request, diagnostics: Diagnostic[]) {
    const config = decode(this.definition.schema, request.config) ?? {};
    const { log, warn } = this.context(diagnostics);
    const terraformVersion = String(request.terraform_version ?? '');
    this.providerData = await this.definition.configure?.({
      config: config as never,
      terraformVersion,
      log,
      warn,
    });
    return {};
  }

  private async readResource(request: Request, diagnostics: Diagnostic[]) {
    const resource = this.resource(request.type_name);
    const type = cachedBlockType(resource.schema);
    const state = decode(resource.schema, request.current_state);
    const result = { new_state: toDynamic(type, state), private: request.private };
    if (state === null) return result;
    const read = await resource.read({ ...this.context(diagnostics), state: state as never });
    const newState = read === null ? null : complete(resource.schema, { ...state, ...read });
    return { ...result, new_state: toDynamic(type, newState) };
  }

  private async planResourceChange(request: Request, diagnostics: Diagnostic[]) {
    const resource = this.resource(request.type_name);
    const type = cachedBlockType(resource.schema);
    const prior = decode(resource.schema, request.prior_state);
    const proposed = decode(resource.schema, request.proposed_new_state);
    const config = decode(resource.schema, request.config);
    const change = planChange(resource.schema, prior, proposed, config);
    if (change.planned !== null && resource.modifyPlan) {
      const modified = await resource.modifyPlan({
        ...this.context(diagnostics),
        prior: prior as never,
        config: config as never,
        plan: change.planned as never,
        requireReplace: (path: AttributePath) => change.requiresReplace.push(path),
      });
      if (modified) change.planned = complete(resource.schema, modified as ObjectValue, true);
    }
    this.assertUpdatable(request.type_name, resource, prior, change);
    return {
      planned_state: toDynamic(type, change.planned),
      requires_replace: change.requiresReplace.map(pathToProto),
      planned_private: request.prior_private,
    };
  }

  private assertUpdatable(
    typeName: string,
    resource: AnyResource,
    prior: ObjectValue | null,
    change: { planned: ObjectValue | null; requiresReplace: AttributePath[] },
  ): void {
    if (resource.update || prior === null || change.planned === null) return;
    if (change.requiresReplace.length > 0) return;
    const type = cachedBlockType(resource.schema);
    if (valuesEqual(type, prior, change.planned)) return;
    throw new Error(
      `${typeName} cannot be updated in place, and no changed attribute requires replacement ` +
        '(provider bug: mark the attributes requiresReplace or implement update).',
    );
  }

  private async applyResourceChange(request: Request, diagnostics: Diagnostic[]) {
    const typeName = String(request.type_name);
    const resource = this.resource(typeName);
    const type = cachedBlockType(resource.schema);
    const prior = decode(resource.schema, request.prior_state);
    const planned = decode(resource.schema, request.planned_state);
    const config = decode(resource.schema, request.config);
    const ctx = this.context(diagnostics);
    if (planned === null) {
      if (prior !== null) await resource.delete({ ...ctx, state: prior as never });
      return { new_state: toDynamic(type, null) };
    }
    const args = { ...ctx, plan: planned as never, config: config as never };
    const returned =
      prior === null
        ? await resource.create(args)
        : await this.update(typeName, resource)({ ...args, prior: prior as never });
    const applied = complete(resource.schema, { ...planned, ...(returned as ObjectValue) }, true);
    const inconsistencies = checkAgainstPlan(resource.schema, planned, applied);
    if (inconsistencies.length > 0) {
      diagnostics.push({
        severity: 'error',
        summary: 'Provider produced inconsistent result after apply',
        detail: describeInconsistencies(typeName, inconsistencies),
        path: inconsistencies[0]?.path,
      });
    }
    return {
      new_state: toDynamic(type, withoutUnknowns(applied)),
      private: request.planned_private,
    };
  }

  private update(typeName: string, resource: AnyResource): NonNullable<AnyResource['update']> {
    if (resource.update) return resource.update.bind(resource);
    throw new Error(`${typeName} does not support in-place update.`);
  }

  private async importResourceState(request: Request, diagnostics: Diagnostic[]) {
    const typeName = String(request.type_name);
    const resource = this.resource(typeName);
    const id = String(request.id);
    const partial = resource.importState
      ? await resource.importState({ ...this.context(diagnostics), id })
      : importById(typeName, resource.schema, id);
    const state = complete(resource.schema, partial as ObjectValue);
    assertRequiredSet(typeName, resource.schema, state);
    const type = cachedBlockType(resource.schema);
    return {
      imported_resources: [
        { type_name: typeName, state: toDynamic(type, state), private: Buffer.alloc(0) },
      ],
    };
  }

  private async readDataSource(request: Request, diagnostics: Diagnostic[]) {
    const dataSource = this.dataSource(request.type_name);
    const type = cachedBlockType(dataSource.schema);
    const config = decode(dataSource.schema, request.config) ?? {};
    const read = await dataSource.read({ ...this.context(diagnostics), config: config as never });
    const state = complete(dataSource.schema, { ...config, ...(read as ObjectValue) });
    if (!isWhollyKnown(state)) throw new Error('The data source left a value unknown.');
    return { state: toDynamic(type, state) };
  }

  private async stopProvider() {
    this.log.info('StopProvider: asking in-flight calls to stop');
    this.stopping.abort();
    return { Error: '' };
  }

  private resource(typeName: string): AnyResource {
    const resource = this.resources.get(typeName);
    if (!resource) throw new Error(`This provider has no resource type "${typeName}".`);
    return resource;
  }

  private dataSource(typeName: string): AnyDataSource {
    const dataSource = this.dataSources.get(typeName);
    if (!dataSource) throw new Error(`This provider has no data source "${typeName}".`);
    return dataSource;
  }
}

function decode(schema: BlockSchema, value: DynamicValue | undefined): ObjectValue | null {
  return fromDynamic(cachedBlockType(schema), value);
}

function problems(schema: BlockSchema, config: ObjectValue | null): Diagnostic[] {
  return validateBlock(schema, config).map((problem) => ({ severity: 'error', ...problem }));
}

/**
 * Fills attributes a function left out with null and checks the shape against the
 * schema, so a provider bug surfaces as a clear error instead of a protocol failure.
 */
function complete(schema: BlockSchema, value: ObjectValue, allowUnknown = false): ObjectValue {
  const type = cachedBlockType(schema);
  const filled = conform(type, stripUndefined(value), allowUnknown ? isUnknown : () => false);
  return filled as ObjectValue;
}

function stripUndefined(value: ObjectValue): ObjectValue {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** read() is typed with required attributes present, so import must provide them. */
function assertRequiredSet(typeName: string, schema: BlockSchema, state: ObjectValue): void {
  const missing = Object.entries(schema.attributes)
    .filter(([name, attr]) => attr.required && state[name] === null)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `${typeName}: importState must set every required attribute; missing ${missing.join(', ')}.`,
    );
  }
}

function importById(typeName: string, schema: BlockSchema, id: string): ObjectValue {
  if (!('id' in schema.attributes)) {
    throw new ValueError(`${typeName} does not support import (it has no importState).`, []);
  }
  return { id };
}

function withoutUnknowns(value: Value): Value {
  if (isUnknown(value)) return null;
  if (Array.isArray(value)) return value.map(withoutUnknowns);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutUnknowns(v)]));
  }
  return value;
}
