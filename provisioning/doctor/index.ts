/**
 * provisioning/doctor/ — The doctor: the server's databases and roles against the registry, and repairs.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './doctor.js';
