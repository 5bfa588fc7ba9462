/**
 * provisioning/databases/ — Databases and attachments: ensure a database (individual, team, seeded), attach
 * and detach a workspace, access levels, archive/restore/drop, and the read queries
 * (lists, summaries) — each TypeScript wrapper beside the SQL file it calls.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './attachments.js';
export * from './databases.js';
export * from './lifecycle.js';
export * from './maintenance.js';
export * from './queries.js';
export * from './snapshots.js';
