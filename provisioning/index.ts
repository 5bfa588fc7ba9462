/**
 * DevDB's typed library (`import { … } from 'devdb'`, docs/library.md) and the one
 * entry to provisioning/ for the rest of DevDB (server, agent, provider): exported by
 * name, so the public surface is this list, which test/provisioning/exports.test.ts
 * snapshots. Each concept folder's index.ts is that concept's own entry; code inside
 * provisioning/ imports other concepts through it (docs/architecture.md).
 */

// names, validation, enumerations, errors, units and the connection shapes (also the agent's)
export {
  ACCESS_LEVELS,
  AlreadyAttachedError,
  API_ROLES,
  type ApiRole,
  BACKUP_KINDS,
  BACKUP_STATUSES,
  type BackupStatus,
  CLEANUP_ACTIONS,
  CREDENTIAL_MODES,
  DATABASE_ACTIONS,
  DATABASE_STATUSES,
  type DatabaseStatus,
  DATABASE_TYPES,
  type DatabaseType,
  ENROLL_TOKEN_ENV,
  ENROLLMENT_ROLE,
  ENROLLMENT_ROLE_PASSWORD,
  ENROLLMENT_TOKEN_STATES,
  enrollmentRefusal,
  generatePassword,
  individualDatabaseName,
  InvalidNameError,
  type JobClaim,
  ON_LAST_DETACH,
  ORPHAN_KINDS,
  type OrphanKind,
  POLICY_AUTO_ACTIONS,
  type PolicyAutoAction,
  POLICY_STATES,
  ProvisioningError,
  scramVerifier,
  type ServerEndpoint,
  type ServerState,
  teamDatabaseName,
  validateAccess,
  validateDatabaseType,
  validateTeamName,
  WORKSPACE_ACCESS,
  type WorkspaceAccess,
} from './contract/index.js';

// the schema: migrations, bootstrap, the data directory, how to reach a server
export {
  adminUrlFor,
  bootstrap,
  CENTRAL_DATABASE,
  configureLoopback,
  type Credentials,
  credentialsFile,
  ensureLoopback,
  migrate,
  MigrationError,
  migrationStatus,
  ping,
  PROVISIONER_ROLE,
  type Queryable,
  readCredentials,
  type ServerAccess,
  serverAccess,
  serverNow,
  urlFor,
  withServerTls,
  workspaceEndpoint,
} from './schema/index.js';

// databases and attachments: ensure, attach, detach, lifecycle, read queries
export {
  activeDatabaseNames,
  type AttachInput,
  type Attachment,
  attachmentState,
  attachWorkspace,
  type DatabaseDetail,
  databaseSizes,
  databaseState,
  detachWorkspace,
  ensureIndividualDatabase,
  ensureTeamDatabase,
  findAttachment,
  inspectDatabase,
  listAttachments,
  listDatabases,
  listTeams,
  listUsers,
  NEVER_ACCESSED_GRACE_HOURS,
  renameOwner,
  restoreDatabase,
  retireDatabase,
  rotateWorkspacePassword,
  workspaceDatabases,
  setAttachmentAccess,
  summarize,
  type Summary,
  updateAttachment,
} from './databases/index.js';

// credentials: enrollment tokens and API tokens
export {
  type ApiPrincipal,
  authenticateApiToken,
  createApiSession,
  createApiToken,
  deleteApiSession,
  enroll,
  enrollmentTokenState,
  findApiSession,
  issueEnrollmentToken,
  listApiTokens,
  revokeApiToken,
  setAttachmentPassword,
} from './enrollment/index.js';

// evidence of use: access reports, the sampler, sessions, slow queries
export {
  listConnections,
  listSamples,
  PG_STAT_STATEMENTS_HOWTO,
  reportAccess,
  sampleAll,
  sessionCounts,
  slowQueries,
  slowQueriesAvailable,
  terminateSessions,
  withoutCountingAsAccess,
} from './access/index.js';

// scheduled jobs' leases; run locks (cleanup, drops, backups one at a time)
export {
  claimJobTick,
  describeHolder,
  endJobTick,
  listJobRuns,
  pruneJobLeases,
  renewJobLease,
  RunLockBusyError,
  type RunLockHolder,
  withCleanupLock,
} from './jobs/index.js';

// backups: take, verify, restore, retention, final backups
export {
  BACKUP_SETTING_KEYS,
  BackupFailedError,
  BackupKeyError,
  type BackupContext,
  type BackupRecord,
  backupsDueForVerification,
  type BackupSettings,
  type BackupToolsStatus,
  backupToolsStatus,
  cleanUpStaleRuns,
  completePendingDrops,
  databasesDueForBackup,
  dropWithFinalBackup,
  generateAgeKeyPair,
  getBackup,
  latestBackup,
  listBackups,
  listPendingDrops,
  loadIdentityFile,
  pruneBackups,
  readBackupSettings,
  requireIdentities,
  restoreBackup,
  restoreInPlace,
  splitRecipients,
  takeBackup,
  toolsFor,
  verifyBackup,
  type VerifyResult,
  writeBackupSetting,
} from './backups/index.js';

// the admin console: settings, events, a database's admin view, metrics
export {
  DATABASE_SORT_KEYS,
  type DatabaseSearch,
  databaseStats,
  type EventRecord,
  EVENTS_LIMIT_MAX,
  FAILED_ACTION_SUFFIX,
  KNOWN_SETTINGS,
  listEvents,
  METRICS_MAX_DATABASE_LABELS,
  metricsSnapshot,
  type MetricsSnapshot,
  parsePositiveInteger,
  readCoderTimeoutSeconds,
  readNumberSetting,
  readPolicyIdleDays,
  readServerFacts,
  readSetting,
  readSettings,
  recordEvent,
  searchDatabases,
  type ServerFacts,
  setDatabaseConnections,
  SETTING_DEFAULTS,
  SETTING_KEYS,
  storedSettings,
  updateSettings,
  writePublicAddress,
  writeSetting,
} from './admin/index.js';

// the doctor: registry against server
export { diagnose, type DoctorFinding, type DoctorOutcome, repair } from './doctor/index.js';

// the 30/60/90 policy, cleanup, the webhook
export {
  changeText,
  type CleanupAction,
  type CleanupPlan,
  type CleanupResult,
  type DeletedWorkspaceAttachment,
  type DropDatabase,
  type Evaluation,
  evaluatePolicy,
  executeCleanupPlan,
  type ExecuteOptions,
  planCleanup,
  POLICY_SETTING_KEYS,
  type PolicySettings,
  type PolicySettingsChange,
  type PolicyStateRow,
  policyStates,
  postWebhook,
  protectDatabase,
  readPolicySettings,
  runCleanup,
  unprotectDatabase,
  webhookPayload,
  writePolicySettings,
} from './policy/index.js';

// orphans: the registry's facts, Coder's answers, the classification
export {
  type BuildTransition,
  classifyOrphans,
  type ClassifyOptions,
  CODER_KINDS,
  type CoderBuild,
  type CoderState,
  type CoderUser,
  type CoderUserStatus,
  type CoderWorkspace,
  type OrphanCandidateAttachment,
  type OrphanCandidateDatabase,
  type OrphanFacts,
  type OrphanFinding,
  type OrphanLoginRole,
  type OrphanReport,
  type OrphanSearch,
  type OwnerLookup,
  readOrphanFacts,
  searchOrphans,
  type SkippedCheck,
  type UnregisteredDatabase,
  type WorkspaceLookup,
} from './orphans/index.js';

// the pool of servers: registry, placement, routing, moves
export {
  addServer,
  attachPlaced,
  checkBackupTools,
  claimDatabase,
  describeServer,
  describeUnreachable,
  type EachServer,
  explainConnectionError,
  isConnectionError,
  leastLoadedServer,
  moveDatabase,
  type MoveResult,
  placedOn,
  type PoolServer,
  removeServer,
  type RoutedServer,
  ServerRouter,
  ServerUnreachableError,
  setServerState,
  type UnreachableServer,
  withServerRouter,
} from './servers/index.js';

// the library's front door
export {
  type Clock,
  type DevDb,
  type Health,
  openDevDb,
  type OpenDevDbOptions,
  type PoolLimits,
  type Stats,
} from './library.js';

// the operations openDevDb binds
export { type DevDbOperations } from './api.js';
