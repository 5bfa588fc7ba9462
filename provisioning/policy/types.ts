/**
 * The policy's shapes, apart from its operations (policy.ts) so that the webhook
 * (webhook.ts), which formats a change, and the policy, which sends one, both import
 * them without importing each other.
 */
import type { DatabaseStatus, PolicyState } from '../contract/index.js';

export interface PolicySettings {
  /** Days without access before a database is idle (default 30). */
  idleDays: number;
  /** … stale (default 60). */
  staleDays: number;
  /** … eligible: cleanup may archive it (default 90). */
  eligibleDays: number;
  /** Days an archived database is kept before cleanup drops it (default 30). */
  archiveRetentionDays: number;
  /** Where state changes are POSTed; null: recorded as events only. A secret: never print it whole. */
  webhookUrl: string | null;
}

/** One database in the policy at a given time. */
export interface PolicyStateRow {
  database: string;
  status: DatabaseStatus;
  state: PolicyState;
  /** Where the clock alone puts it (active … eligible); null once archived or dropped. */
  timeState: PolicyState | null;
  protected: boolean;
  /** The protection's end (null: until unprotected); set on an expired protection too. */
  protectedUntil: Date | null;
  protectReason: string | null;
  /** Last evidence of use: last access, else creation, else the restore from the archive. */
  lastAccess: Date;
  idleDays: number;
  liveAttachments: number;
  archivedAt: Date | null;
  /** When cleanup may drop an archived database (archivedAt + retention). */
  dropDueAt: Date | null;
}

/** One state change, as notified (webhook) and recorded (event 'policy.state'). */
export interface PolicyChange {
  database: string;
  from: PolicyState;
  to: PolicyState;
  /** When the change was recorded (the evaluation's `now`). */
  at: Date;
  /** The database's state row at the evaluation, for the message. */
  detail: PolicyStateRow | null;
  settings: PolicySettings;
}

/** Delivers one change; throwing leaves it pending for the next evaluation. */
export type Notify = (change: PolicyChange) => Promise<void>;
