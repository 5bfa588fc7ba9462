/**
 * What the database commands share: their connection flags, and running a query
 * on the server the flags point at or on every server of the pool.
 */
import type pg from 'pg';
import {
  CONNECTION_OPTIONS,
  withAdminPool,
  withEachServer,
  type ConnectionOptions,
} from '../../admin-connection.js';
import { JSON_OPTION } from '../../command.js';
import type { CliIO } from '../../io.js';

export type Connection = Omit<ConnectionOptions, 'env'>;

export const ADMIN_OPTIONS = [...CONNECTION_OPTIONS, JSON_OPTION];

/** Runs `query` on the server the options and environment point at. */
export function fromServer<T>(
  options: Connection,
  io: CliIO,
  query: (pool: pg.Pool) => Promise<T>,
) {
  return withAdminPool({ ...options, env: io.env }, query);
}

/** Runs `query` on every server of the pool (docs/servers.md), the central one first. */
export const fromEachServer = <T>(
  options: Connection,
  io: CliIO,
  query: (db: pg.Pool) => Promise<T>,
) => withEachServer({ ...options, env: io.env }, query);
