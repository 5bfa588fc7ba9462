/**
 * provisioning/backups/ — Backups: the registry, pg_dump/pg_restore discovery, encryption, taking,
 * verifying, restoring, retention and pruning, and the final backup before a drop.
 * No server dependency, so the library can back up.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './crypto.js';
export * from './final-backup.js';
export * from './in-place.js';
export * from './pg-tools.js';
export * from './registry.js';
export * from './retention.js';
export * from './context.js';
export * from './prune.js';
export * from './restore.js';
export * from './take.js';
export * from './verify.js';
