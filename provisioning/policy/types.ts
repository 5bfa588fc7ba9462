/**
 * The policy's shapes, apart from its operations (policy.ts) so that the webhook
 * (webhook.ts), which formats a change, and the policy, which sends one, both import
 * them without importing each other.
 */
import type { DatabaseStatus, PolicyAutoAction, PolicyState } from '../contract/index.js';

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
  /**
   * What `devdb serve`'s policy job may do on its own (default `notify`: events
   * and the webhook only; `archive`; `archive-and-drop`).
   */
  autoAction: PolicyAutoAction;
}

/** One database in the policy now. */
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
  /** The last access recorded (what `devdb list` shows); null: none recorded. */
  lastAccessed: Date | null;
  idleDays: number;
  liveAttachments: number;
  archivedAt: Date | null;
  /** When cleanup may drop an archived database (archivedAt + retention). */
  dropDueAt: Date | null;
  /** An archive past its retention, by the server's clock: cleanup may drop it. */
  dropDue: boolean;
}

/** One state change, as notified (webhook) and recorded (event 'policy.state'). */
export interface PolicyChange {
  database: string;
  from: PolicyState;
  to: PolicyState;
  /** When the change was recorded (the server's time of the evaluation that saw it). */
  at: Date;
  /** The database's state row at the evaluation, for the message. */
  detail: PolicyStateRow | null;
  settings: PolicySettings;
}

/** Delivers one change; throwing leaves it pending for the next evaluation. */
export type Notify = (change: PolicyChange) => Promise<void>;
