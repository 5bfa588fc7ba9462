-- The 30/60/90 policy's state (docs/operations.md, "The policy"). Its functions
-- are defined in provisioning/sql/policy.sql, a repeatable file
-- (docs/architecture-sql.md).

-- A database an admin exempted from the policy: cleanup never touches it.
-- protected_until NULL: until `devdb unprotect`.
CREATE TABLE provisioning.protections (
  db_name         text PRIMARY KEY REFERENCES provisioning.databases ON DELETE CASCADE,
  protected_until timestamptz,
  reason          text,
  protected_by    text NOT NULL,
  protected_at    timestamptz NOT NULL DEFAULT now()
);

-- The policy state each database was last seen in (so every change is an event,
-- once) and the last one a notification was delivered for (so a failed webhook
-- is retried at the next evaluation). No row: active, nothing to notify.
CREATE TABLE provisioning.policy_status (
  db_name        text PRIMARY KEY REFERENCES provisioning.databases ON DELETE CASCADE,
  state          text NOT NULL
                 CHECK (state IN ('active', 'idle', 'stale', 'eligible', 'protected', 'archived', 'dropped')),
  changed_at     timestamptz NOT NULL,
  notified_state text NOT NULL DEFAULT 'active',
  notified_at    timestamptz
);

-- Databases archived or dropped before the policy existed are in those states
-- already: nothing to announce about them.
INSERT INTO provisioning.policy_status (db_name, state, changed_at, notified_state, notified_at)
SELECT d.db_name, d.status, now(), d.status, now()
  FROM provisioning.databases d WHERE d.status <> 'active';

-- list_user_databases gained the policy state (provisioning/sql/entry-points.sql):
-- a new return type needs the old function gone first.
DROP FUNCTION IF EXISTS provisioning.list_user_databases(text);
