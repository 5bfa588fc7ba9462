/**
 * provisioning/contract/ — The shapes DevDB's parts share: enumerations (`as const`), name rules and
 * validation, errors, units, connection URLs, the enrollment protocol, passwords.
 * Dependency-free (the agent bundles it; the dashboard bundles units): it imports
 * nothing outside this folder but Node's built-ins.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './connection-info.js';
export * from './domain.js';
export * from './enrollment-protocol.js';
export * from './errors.js';
export * from './naming.js';
export * from './password.js';
export * from './units.js';
export * from './validation.js';
