/**
 * provisioning/servers/ — The pool of servers: the registry, placement, routing each database to its
 * server, addresses and TLS, and moving a database between servers.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './address.js';
export * from './backup-tools.js';
export * from './move.js';
export * from './router.js';
export * from './servers.js';
