/**
 * provisioning/orphans/ — Orphans: databases and attachments whose workspace or owner
 * is gone from Coder, or that nobody uses, and what the server holds that the registry
 * does not — the registry's facts, Coder's answers (shapes only: the server asks), the
 * classification and the search that combines them.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './classify.js';
export * from './coder.js';
export * from './facts.js';
export * from './find.js';
