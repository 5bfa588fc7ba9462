/**
 * provisioning/enrollment/ — Credentials: enrollment tokens a workspace trades for its own password (the
 * server never learns it), and the REST API's tokens.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './api-tokens.js';
export * from './enrollment.js';
