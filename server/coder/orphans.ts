/**
 * The orphan search (provisioning/orphans/) with Coder asked through this server's
 * client: what the CLI's `devdb orphans`, the API and the policy call.
 */
import { searchOrphans, type OrphanReport, type Queryable } from '../../provisioning/index.js';
import type { CoderClient } from './client.js';
import { HOW_TO_ENABLE_CODER } from './config.js';
import { askCoder, type AskCoderOptions } from './state.js';

export interface FindOrphansOptions extends AskCoderOptions {
  /** Null: Coder's checks are skipped, for `skippedReason`. */
  coder: CoderClient | null;
  skippedReason?: string;
  /** Default: the setting policy_idle_days, else 30. */
  idleDays?: number;
}

/** Reads the registry and the server, asks Coder when it can, and classifies; changes nothing. */
export function findOrphans(db: Queryable, options: FindOrphansOptions): Promise<OrphanReport> {
  const { coder } = options;
  return searchOrphans(db, {
    ask: coder ? (facts) => askCoder(coder, facts, options) : null,
    skippedReason: options.skippedReason ?? `Coder is not configured: ${HOW_TO_ENABLE_CODER}`,
    idleDays: options.idleDays,
  });
}
