/**
 * The doctor (provisioning/doctor/doctor.sql): the server's databases and roles
 * checked against the registry, and the safe repairs. A crash between the
 * loopback session's commits and the registry's can leave a database or a
 * login role the registry does not know (docs/operations.md, "devdb doctor").
 */
import { query, type Queryable } from '../schema/index.js';

export interface DoctorFinding {
  /** Which check found it, e.g. 'unregistered database', 'orphan login role'. */
  kind: string;
  /** The database, role or `database/workspace id` concerned. */
  object: string;
  /** What is wrong. */
  problem: string;
  /** What a fix does, or `none: …` with what an admin can do instead. */
  fix: string;
  fixable: boolean;
}

export interface DoctorOutcome extends DoctorFinding {
  /** What the fix did; null when there was nothing it may do. */
  outcome: string | null;
}

const FINDING_COLUMNS = 'kind, object, problem, fix, fixable';

/** Every finding of every check; changes nothing. */
export function diagnose(db: Queryable): Promise<DoctorFinding[]> {
  return query<DoctorFinding>(db, `SELECT ${FINDING_COLUMNS} FROM provisioning.doctor()`);
}

/**
 * Applies the fix of each fixable finding (adopt a DevDB-shaped database, drop
 * an orphan role, record a role-less attachment as detached); never drops a
 * database. Each fix stands alone: a failed one is reported in its outcome.
 */
export function repair(db: Queryable, input: { actor?: string } = {}): Promise<DoctorOutcome[]> {
  return query<DoctorOutcome>(
    db,
    `SELECT ${FINDING_COLUMNS}, outcome FROM provisioning.doctor_fix($1)`,
    [input.actor ?? null],
  );
}
