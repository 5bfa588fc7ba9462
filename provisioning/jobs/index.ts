/**
 * provisioning/jobs/ — Leases of scheduled jobs: several `devdb serve` processes agree through
 * PostgreSQL on who runs each tick; run locks make cleanup, drops and backups single-flight.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './leases.js';
export * from './run-locks.js';
