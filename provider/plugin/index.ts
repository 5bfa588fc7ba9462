// provider/plugin: a Terraform plugin framework (tfplugin6 over gRPC, go-plugin
// handshake, AutoMTLS, cty values, schema, plan rules, diagnostics). It knows nothing
// about DevDB; provider/devdb is built on it.

export {
  attribute,
  block,
  t,
  type Attribute,
  type AttributeOptions,
  type BlockSchema,
  type Model,
  type NestedBlock,
  type Typed,
  type Validator,
} from './schema/attributes.js';
export { between, lengthBetween, matches, oneOf } from './schema/validators.js';
export { generateDocs, writeDocs, type DocsOptions } from './schema/docs.js';
export {
  defineDataSource,
  defineProvider,
  defineResource,
  defineSchema,
  type CallContext,
  type DataSourceDefinition,
  type Planned,
  type ProviderDefinition,
  type ResourceDefinition,
} from './provider.js';
export { DiagnosticError, type Diagnostic } from './diagnostics.js';
export { isUnknown, UNKNOWN, type UnknownValue, type Value } from './values/value.js';
export type { AttributePath } from './values/path.js';
export type { Logger } from './transport/log.js';
export { serve } from './serve.js';
