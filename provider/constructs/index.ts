/**
 * DevDB's construct library for Coder templates, on CDK Terrain (cdktn): add
 * the parameters, the database and its coder_metadata, DEVDB_* and the agent
 * in a few lines.
 */
export {
  DevDbParameters,
  TEAM_NAME_REGEX,
  type DevDbParametersProps,
  type TeamOptions,
} from './parameters.js';
export {
  DevDatabase,
  type CredentialMode,
  type DevDatabaseProps,
  type OnLastDetach,
} from './database.js';
export { DevDbMetadata, type DevDbMetadataProps } from './metadata.js';
export { DevDbEnv, DEVDB_CREDENTIAL_ENV, DEVDB_ENV_NAMES, type DevDbEnvProps } from './env.js';
export { DevDbAgent, type DevDbAgentProps } from './agent.js';
export { CoderDevDb, type CoderDevDbProps } from './coder-devdb.js';
