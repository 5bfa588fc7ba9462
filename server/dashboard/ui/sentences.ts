/**
 * An audit event as a sentence ("api:alice restored dev_bob from backup 12"),
 * and its detail as labelled values (sizes in IEC units, durations in words),
 * never as JSON. Pure: tests call them without a browser.
 */
import { bytes, duration, stamp } from './format.js';

/** The part of an event a sentence is made of (GET /api/v1/events' items). */
export interface EventLike {
  actor: string;
  action: string;
  database: string | null;
  workspaceId: string | null;
  detail: Record<string, unknown>;
}

const str = (value: unknown): string | undefined =>
  value === null || value === undefined || value === '' ? undefined : String(value);

/** The first of `keys` the detail has (its writers name things in snake_case or camelCase). */
function pick(detail: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = str(detail[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

const backupOf = (d: Record<string, unknown>) => pick(d, 'backup_id', 'backupId', 'backup');

/** What was done, after the actor: `verb object` (the database is `db`, or "a database"). */
const VERBS: Record<string, (db: string, d: Record<string, unknown>, ws: string) => string> = {
  'database.ensure': (db, d) => (d.created === false ? `checked ${db}` : `created ${db}`),
  'database.create': (db) => `created ${db}`,
  'database.archive': (db) => `archived ${db}`,
  'database.restore': (db, d) => {
    const backup = backupOf(d);
    return backup ? `restored ${db} from backup ${backup}` : `restored ${db} from its archive`;
  },
  'database.restore_backup': (db, d) => {
    const from = pick(d, 'from_database');
    const of = from && from !== db ? ` of ${from}` : '';
    return `restored ${db} from backup ${backupOf(d) ?? '?'}${of}`;
  },
  'database.restore_without_backup': (db) => `restored ${db} without a pre-restore backup`,
  'database.drop': (db) => `dropped ${db}`,
  'database.drop_without_backup': (db) => `dropped ${db} without a final backup`,
  'database.move': (db, d) => `moved ${db}${pick(d, 'to') ? ` to server ${pick(d, 'to')}` : ''}`,
  'database.protect': (db, d) =>
    `protected ${db} from the policy${pick(d, 'reason') ? ` (${pick(d, 'reason')})` : ''}`,
  'database.unprotect': (db) => `removed the protection of ${db}`,
  'database.connections': (db, d) =>
    d.allowed === false ? `closed ${db} to connections` : `opened ${db} to connections`,
  'database.terminate_sessions': (db, d) =>
    `ended ${pick(d, 'terminated') ?? 'the'} session(s) in ${db}`,
  'database.access': (db) => `reported access to ${db}`,
  'workspace.attach': (db, _d, ws) => `attached workspace ${ws} to ${db}`,
  'workspace.detach': (db, _d, ws) => `detached workspace ${ws} from ${db}`,
  'workspace.update': (db, _d, ws) => `updated workspace ${ws} on ${db}`,
  'workspace.password': (db, _d, ws) => `set a new password for workspace ${ws} on ${db}`,
  'workspace.access': (db, _d, ws) => `reported workspace ${ws}'s access to ${db}`,
  'enrollment.issue': (db, _d, ws) => `issued an enrollment token for workspace ${ws} on ${db}`,
  'enrollment.enroll': (db, _d, ws) => `enrolled workspace ${ws} on ${db}`,
  'owner.rename': (db, d) =>
    `renamed the owner of ${db}${pick(d, 'to', 'new') ? ` to ${pick(d, 'to', 'new')}` : ''}`,
  'backup.run': (db, d) => `backed up ${db}${backupOf(d) ? ` (backup ${backupOf(d)})` : ''}`,
  'backup.create': (db, d) => `backed up ${db}${backupOf(d) ? ` (backup ${backupOf(d)})` : ''}`,
  'backup.verify': (db, d) =>
    `verified backup ${backupOf(d) ?? '?'} of ${db}${d.ok === false ? ': it failed' : ''}`,
  'backup.restore': (db, d) => {
    const into = pick(d, 'as', 'into', 'target');
    const where = into && into !== db ? ` as ${into}` : d.mode === 'in-place' ? ' in place' : '';
    return `restored backup ${backupOf(d) ?? '?'} of ${db}${where}`;
  },
  'policy.state': (db, d) =>
    `moved ${db} from ${pick(d, 'from') ?? '?'} to ${pick(d, 'to') ?? '?'} in the policy`,
  'policy.settings': (_db, d) => `changed the policy settings (${Object.keys(d).join(', ')})`,
  'settings.update': (_db, d) => {
    const changes = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes) : [];
    return `changed the settings ${changes.join(', ')}`.trim();
  },
  'session.login': () => 'logged in to the dashboard',
  'session.logout': () => 'logged out of the dashboard',
  'cleanup.run': () => 'ran cleanup',
};

/** `database.terminate_sessions` → "terminate sessions" (an action no sentence knows). */
const words = (action: string) => action.replace(/[._]/g, ' ');

/** The event as a sentence: actor, what they did, to which database. */
export function sentence(event: EventLike): string {
  const db = event.database ?? 'a database';
  const ws = event.workspaceId ?? '?';
  const failed = event.action.endsWith('.failed');
  const action = failed ? event.action.slice(0, -'.failed'.length) : event.action;
  if (failed) {
    const on = event.database ? ` on ${event.database}` : '';
    const why = typeof event.detail.message === 'string' ? `: ${event.detail.message}` : '';
    return `${event.actor}'s ${words(action)}${on} was refused${why}`;
  }
  const verb = VERBS[action];
  if (verb) return `${event.actor} ${verb(db, event.detail, ws)}`;
  return `${event.actor}: ${words(action)}${event.database ? ` on ${event.database}` : ''}`;
}

/** A detail's key as words: `session_time_ms` → "session time". */
export function detailLabel(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .replace(/ (ms|bytes)$/i, '')
    .toLowerCase();
}

/** A detail's value in words: milliseconds as a duration, bytes in IEC units, times with their zone. */
export function detailValue(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (/(_ms|Ms)$/.test(key)) return duration(value);
    if (/bytes/i.test(key)) return bytes(value);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) ? stamp(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => detailValue(key, v)).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${detailLabel(k)}: ${detailValue(k, v)}`)
    .join('; ');
}
