/**
 * The provisioning domain and DevDB's typed library (`import { … } from 'devdb'`,
 * docs/library.md): enumerations, validation and names, migrations, and the
 * operations, each also bound to a pool by openDevDb.
 */
export * from './domain.js';
export * from './validation.js';
export * from './naming.js';
export * from './errors.js';
export type { Queryable } from './db.js';
export * from './password.js';
export * from './connection-info.js';
export * from './server-address.js';
export * from './data-dir.js';
export * from './migrate.js';
export * from './bootstrap.js';
export * from './databases.js';
export * from './attachments.js';
export * from './enrollment.js';
export * from './access.js';
export * from './lifecycle.js';
export * from './maintenance.js';
export * from './queries.js';
export * from './doctor.js';
export type { DevDbOperations } from './api.js';
export * from './library.js';
export * from './units.js';
export * from './pg-tools.js';
export * from './backups.js';
export * from './backup-retention.js';
export * from './backup-crypto.js';
export * from './backup-run.js';
export * from './backup-in-place.js';
export * from './settings.js';
export * from './orphans.js';
export * from './final-backup.js';
export * from './sampler.js';
export * from './job-leases.js';
export * from './policy.js';
export * from './servers.js';
export * from './server-router.js';
export * from './move.js';
export * from './webhook.js';
export * from './cleanup.js';
export * from './events.js';
export * from './sessions.js';
export * from './api-tokens.js';
export * from './database-admin.js';
export * from './slow-queries.js';
export * from './observability.js';
