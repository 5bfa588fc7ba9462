/** The provisioning domain: naming rules, migrations, and the operations. */
export * from './naming.js';
export * from './errors.js';
export * from './password.js';
export * from './connection-info.js';
export * from './migrate.js';
export * from './bootstrap.js';
export * from './operations.js';
export * from './lifecycle.js';
export * from './queries.js';
export * from './server-address.js';
export * from './maintenance.js';
export * from './units.js';
