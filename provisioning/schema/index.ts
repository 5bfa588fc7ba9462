/**
 * provisioning/schema/ — The schema itself: numbered migrations and the repeatable-file ledger, bootstrap
 * of the devdb database and its roles, the data directory's credentials, how to
 * reach a server (reach.ts), and the error-translating query helper every concept
 * calls SQL through.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './bootstrap.js';
export * from './data-dir.js';
export * from './db.js';
export * from './migrate.js';
export * from './reach.js';
