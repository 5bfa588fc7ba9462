/**
 * Orphans (docs/operations.md, "Orphans"): databases and attachments whose
 * workspace or owner is gone from Coder, or that nobody uses, and what the server
 * holds that the registry does not. findOrphans is the one entry point for the
 * CLI, `devdb serve`'s API and the policy; it changes nothing.
 */
import {
  readOrphanFacts,
  readPolicyIdleDays,
  serverNow,
  type OrphanKind,
  type Queryable,
} from '../../provisioning/index.js';
import type { CoderClient } from '../coder/client.js';
import { HOW_TO_ENABLE_CODER } from '../coder/config.js';
import { CODER_KINDS, classifyOrphans, type OrphanFinding } from './classify.js';
import { askCoder, type AskCoderOptions } from './coder-state.js';

export {
  CODER_KINDS,
  classifyOrphans,
  type ClassifyOptions,
  type OrphanFinding,
} from './classify.js';
export {
  askCoder,
  assertTokenReadsEverything,
  type CoderProgress,
  type CoderState,
  type OwnerLookup,
  type WorkspaceLookup,
} from './coder-state.js';

export interface SkippedCheck {
  kind: OrphanKind;
  /** Why, and how to enable it. */
  reason: string;
}

export interface OrphanReport {
  findings: OrphanFinding[];
  /** The checks that did not run (those that need Coder, when it is not configured). */
  skipped: SkippedCheck[];
}

export interface FindOrphansOptions extends AskCoderOptions {
  /** Null: Coder's checks are skipped, for `skippedReason`. */
  coder: CoderClient | null;
  skippedReason?: string;
  /** Default: the setting policy_idle_days, else 30. */
  idleDays?: number;
}

/** Reads the registry and the server, asks Coder when it can, and classifies; changes nothing. */
export async function findOrphans(
  db: Queryable,
  options: FindOrphansOptions,
): Promise<OrphanReport> {
  // Days since are counted by the server's clock, as the policy counts them.
  const now = await serverNow(db);
  const idleDays = options.idleDays ?? (await readPolicyIdleDays(db));
  const facts = await readOrphanFacts(db);
  const coder = options.coder ? await askCoder(options.coder, facts, options) : null;
  const reason = options.skippedReason ?? `Coder is not configured: ${HOW_TO_ENABLE_CODER}`;
  return {
    findings: classifyOrphans(facts, coder, { now, idleDays }),
    skipped: coder ? [] : CODER_KINDS.map((kind) => ({ kind, reason })),
  };
}
