/**
 * provisioning/policy/ — The 30/60/90 policy (states, notifications, protection), cleanup's actions,
 * and the webhook that hears of state changes.
 * Other concepts and the top-level index import this folder through this file only.
 */
export * from './cleanup.js';
export * from './policy.js';
export * from './webhook.js';
