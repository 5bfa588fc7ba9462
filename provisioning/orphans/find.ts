/**
 * Orphans (docs/operations.md, "Orphans"): the registry's facts, Coder's answers when
 * the caller can ask Coder (`ask`), and the classification — the one entry point for
 * the CLI, `devdb serve`'s API and the policy. Changes nothing.
 */
import type { OrphanKind } from '../contract/index.js';
import { readPolicyIdleDays } from '../admin/index.js';
import { serverNow, type Queryable } from '../schema/index.js';
import { CODER_KINDS, classifyOrphans, type OrphanFinding } from './classify.js';
import type { CoderState } from './coder.js';
import { readOrphanFacts, type OrphanFacts } from './facts.js';

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

export interface OrphanSearch {
  /** Asks Coder about the facts' workspaces and owners; null: Coder's checks are skipped. */
  ask: ((facts: OrphanFacts) => Promise<CoderState>) | null;
  /** Why Coder's checks are skipped when `ask` is null, and how to enable them. */
  skippedReason: string;
  /** Default: the setting policy_idle_days, else 30. */
  idleDays?: number;
}

/** Reads the registry and the server, asks Coder when it can, and classifies. */
export async function searchOrphans(db: Queryable, search: OrphanSearch): Promise<OrphanReport> {
  // Days since are counted by the server's clock, as the policy counts them.
  const now = await serverNow(db);
  const idleDays = search.idleDays ?? (await readPolicyIdleDays(db));
  const facts = await readOrphanFacts(db);
  const coder = search.ask ? await search.ask(facts) : null;
  return {
    findings: classifyOrphans(facts, coder, { now, idleDays }),
    skipped: coder ? [] : CODER_KINDS.map((kind) => ({ kind, reason: search.skippedReason })),
  };
}
