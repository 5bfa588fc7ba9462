/**
 * provisioning/access/ — Evidence that a database is really used: the agent's access reports, the
 * sampler's pass over pg_stat_database, sessions (list, terminate), slow queries.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './access.js';
export * from './sampler.js';
export * from './sessions.js';
export * from './slow-queries.js';
