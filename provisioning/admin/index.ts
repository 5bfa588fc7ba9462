/**
 * provisioning/admin/ — What the admin console reads and changes: settings, the audit trail of events,
 * a database's admin view, and the figures behind /metrics.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './database-admin.js';
export * from './events.js';
export * from './observability.js';
export * from './settings.js';
