-- The 30/60/90 policy (docs/operations.md, "The policy"): every database's
-- state computed in one place, protection, the record of state changes, and the
-- guarded steps cleanup takes.
--
-- Repeatable file: see docs/architecture-sql.md. The time is this server's
-- (provisioning._now(), helpers.sql): no function here takes it from a caller,
-- so a client whose clock is wrong cannot move a database through the policy.

-- The thresholds, with their defaults, from the policy's settings as a JSON
-- object (key → text value): the one definition of both. policy_settings()
-- reads the stored ones; provisioning/policy/policy.ts (which names the keys and
-- validates what is written) checks a change against what it would give.
-- policy_auto_action says what `devdb serve`'s policy job may do on its own:
-- 'notify' (the default: events and the webhook only), 'archive' (also detach
-- workspaces Coder confirmed deleted and archive eligible databases), or
-- 'archive-and-drop' (also drop archives past the retention, each after a
-- verified final backup).
CREATE OR REPLACE FUNCTION provisioning.policy_settings_from(p_values jsonb)
RETURNS TABLE (idle_days int, stale_days int, eligible_days int, archive_retention_days int, webhook_url text,
               auto_action text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(p_values ->> 'policy_idle_days', '30')::int,
         coalesce(p_values ->> 'policy_stale_days', '60')::int,
         coalesce(p_values ->> 'policy_eligible_days', '90')::int,
         coalesce(p_values ->> 'policy_archive_retention_days', '30')::int,
         p_values ->> 'policy_webhook_url',
         CASE WHEN p_values ->> 'policy_auto_action' IN ('notify', 'archive', 'archive-and-drop')
              THEN p_values ->> 'policy_auto_action' ELSE 'notify' END;
$$;

CREATE OR REPLACE FUNCTION provisioning.policy_settings()
RETURNS TABLE (idle_days int, stale_days int, eligible_days int, archive_retention_days int, webhook_url text,
               auto_action text)
LANGUAGE sql STABLE AS $$
  SELECT * FROM provisioning.policy_settings_from(
    (SELECT coalesce(jsonb_object_agg(s.key, s.value), '{}') FROM provisioning.settings s WHERE s.key LIKE 'policy\_%'));
$$;

-- Each database's policy state now (one database with p_db):
--   active → idle (idle_days without access) → stale → eligible (cleanup may
--   archive it) → archived → dropped (cleanup drops it archive_retention_days
--   after it was archived, through the final-backup drop).
-- A protected database that is not archived or dropped is 'protected';
-- time_state says where the clock alone would put it. Last access is the last
-- evidence of use (last_accessed), else the creation, and a restore from the
-- archive counts as one: the database starts over rather than being archived
-- again at the next cleanup. last_accessed is the recorded access alone (NULL:
-- none recorded), what `devdb list` shows. drop_due: an archive past its retention.
CREATE OR REPLACE FUNCTION provisioning.policy_states(p_db text DEFAULT NULL)
RETURNS TABLE (
  db_name text, status text, state text, time_state text,
  protected boolean, protected_until timestamptz, protect_reason text,
  last_access timestamptz, idle_days int, live_attachments int,
  archived_at timestamptz, drop_due_at timestamptz, drop_due boolean, last_accessed timestamptz
)
LANGUAGE sql STABLE AS $$
  SELECT d.db_name, d.status,
         CASE WHEN d.status <> 'active' THEN d.status
              WHEN p.is_protected THEN 'protected'
              ELSE t.time_state END,
         t.time_state,
         p.is_protected, pr.protected_until, pr.reason,
         a.last_access, a.idle_days,
         (SELECT count(*)::int FROM provisioning.attachments x
           WHERE x.db_name = d.db_name AND x.detached_at IS NULL),
         r.archived_at,
         r.archived_at + make_interval(days => s.archive_retention_days),
         coalesce(r.archived_at + make_interval(days => s.archive_retention_days) <= c.now, false),
         d.last_accessed
    FROM provisioning.databases d
   CROSS JOIN (SELECT provisioning._now() AS now) c
   CROSS JOIN provisioning.policy_settings() s
    LEFT JOIN provisioning.protections pr ON pr.db_name = d.db_name
   CROSS JOIN LATERAL (
     SELECT pr.db_name IS NOT NULL AND (pr.protected_until IS NULL OR pr.protected_until > c.now) AS is_protected
   ) p
   CROSS JOIN LATERAL (
     SELECT l.at AS last_access, greatest(0, floor(extract(epoch FROM c.now - l.at) / 86400))::int AS idle_days
       FROM (SELECT greatest(coalesce(d.last_accessed, d.created_at), (d.metadata ->> 'restored_at')::timestamptz) AS at) l
   ) a
   CROSS JOIN LATERAL (
     SELECT CASE WHEN d.status = 'archived'
                 THEN (d.metadata #>> '{archived,at}')::timestamptz END AS archived_at
   ) r
   CROSS JOIN LATERAL (
     SELECT CASE WHEN d.status <> 'active' THEN NULL
                 WHEN a.idle_days >= s.eligible_days THEN 'eligible'
                 WHEN a.idle_days >= s.stale_days THEN 'stale'
                 WHEN a.idle_days >= s.idle_days THEN 'idle'
                 ELSE 'active' END AS time_state
   ) t
   WHERE p_db IS NULL OR d.db_name = p_db;
$$;

-- One evaluation at a time (two `devdb serve` processes may both run one).
CREATE OR REPLACE FUNCTION provisioning._lock_policy() RETURNS void
LANGUAGE sql
RETURN pg_advisory_xact_lock(1684371056, 0); -- 1684371056 = 'devp'

-- Records every database whose state changed since the last evaluation: its new
-- state, and an event 'policy.state' (from, to, at). Returns the changes.
CREATE OR REPLACE FUNCTION provisioning.record_policy_states(p_actor text DEFAULT NULL)
RETURNS TABLE (db_name text, from_state text, to_state text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v record;
  v_now timestamptz := provisioning._now();
BEGIN
  PERFORM provisioning._lock_policy();
  FOR v IN
    SELECT s.db_name, coalesce(ps.state, 'active') AS from_state, s.state AS to_state, s.idle_days
      FROM provisioning.policy_states() s
      LEFT JOIN provisioning.policy_status ps ON ps.db_name = s.db_name
     WHERE s.state IS DISTINCT FROM coalesce(ps.state, 'active')
     ORDER BY s.db_name
  LOOP
    INSERT INTO provisioning.policy_status AS ps (db_name, state, changed_at)
    VALUES (v.db_name, v.to_state, v_now)
    ON CONFLICT (db_name) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at;
    PERFORM provisioning._log(coalesce(p_actor, 'policy'), 'policy.state', v.db_name, NULL, jsonb_build_object(
      'from', v.from_state, 'to', v.to_state, 'at', v_now, 'idle_days', v.idle_days));
    db_name := v.db_name;
    from_state := v.from_state;
    to_state := v.to_state;
    RETURN NEXT;
  END LOOP;
END $$;

-- Changes not yet delivered: from the last state notified to the state now.
CREATE OR REPLACE FUNCTION provisioning.pending_policy_notifications()
RETURNS TABLE (db_name text, from_state text, to_state text, changed_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT ps.db_name, ps.notified_state, ps.state, ps.changed_at
    FROM provisioning.policy_status ps
   WHERE ps.state <> ps.notified_state
   ORDER BY ps.changed_at, ps.db_name;
$$;

-- Takes the delivery of p_db's pending change to p_state for the calling
-- transaction: true when it is still pending and no other transaction is
-- delivering it (its row is locked until this transaction ends, so of several
-- evaluations at once, in several processes, one delivers each change; once it
-- committed mark_policy_notified, the change is no longer pending for the others).
CREATE OR REPLACE FUNCTION provisioning.claim_policy_notification(p_db text, p_state text)
RETURNS boolean
LANGUAGE sql AS $$
  SELECT EXISTS (
    SELECT FROM provisioning.policy_status ps
     WHERE ps.db_name = p_db AND ps.state = p_state AND ps.state <> ps.notified_state
       FOR UPDATE SKIP LOCKED);
$$;

-- A notification of p_state was delivered (or there was nowhere to deliver it).
-- Only while p_state is still the recorded state: a newer change stays pending.
CREATE OR REPLACE FUNCTION provisioning.mark_policy_notified(p_db text, p_state text)
RETURNS boolean
LANGUAGE sql AS $$
  UPDATE provisioning.policy_status ps SET notified_state = p_state, notified_at = provisioning._now()
   WHERE ps.db_name = p_db AND ps.state = p_state
  RETURNING true;
$$;

-- Exempts a database from the policy (until p_until, or for good with NULL).
CREATE OR REPLACE FUNCTION provisioning.protect_database(
  p_db text, p_until timestamptz DEFAULT NULL, p_reason text DEFAULT NULL, p_actor text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._lock_database(p_db);
  IF NOT EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db AND d.status <> 'dropped') THEN
    RAISE EXCEPTION 'no DevDB database named % (dropped ones cannot be protected)', coalesce(quote_literal(p_db), '(null)')
      USING ERRCODE = 'undefined_object', HINT = 'see provisioning.database_summary for the databases DevDB knows';
  END IF;
  IF p_until IS NOT NULL AND p_until <= provisioning._now() THEN
    RAISE EXCEPTION 'protection until % would already be over', p_until
      USING ERRCODE = 'invalid_parameter_value', HINT = 'give a date in the future, or none to protect it until unprotected';
  END IF;
  INSERT INTO provisioning.protections AS p (db_name, protected_until, reason, protected_by)
  VALUES (p_db, p_until, p_reason, coalesce(p_actor, session_user))
  ON CONFLICT (db_name) DO UPDATE
    SET protected_until = excluded.protected_until, reason = excluded.reason,
        protected_by = excluded.protected_by, protected_at = now();
  PERFORM provisioning._log(p_actor, 'database.protect', p_db, NULL,
    jsonb_build_object('until', p_until, 'reason', p_reason));
END $$;

-- Ends the exemption; false when there was none.
CREATE OR REPLACE FUNCTION provisioning.unprotect_database(p_db text, p_actor text DEFAULT NULL) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._locked_database(p_db);
  DELETE FROM provisioning.protections p WHERE p.db_name = p_db;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM provisioning._log(p_actor, 'database.unprotect', p_db, NULL, '{}');
  RETURN true;
END $$;

-- Cleanup's archive step, checked again under the database's lock: only an
-- eligible, unprotected database with no workspace attached. Otherwise nothing
-- changes and the reason is returned ('archived' when done). Archiving is
-- retire_database's, which converges after an interrupted run and records the
-- archive's time (provisioning._now()), which the retention counts from.
CREATE OR REPLACE FUNCTION provisioning.cleanup_archive(p_db text, p_actor text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v record;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  SELECT * INTO v FROM provisioning.policy_states(p_db) s;
  IF NOT FOUND THEN
    RETURN 'skipped: no such database';
  ELSIF v.state <> 'eligible' THEN
    RETURN format('skipped: now %s', v.state);
  ELSIF v.live_attachments > 0 THEN
    RETURN format('skipped: %s workspace(s) attached', v.live_attachments);
  END IF;
  RETURN provisioning.retire_database(p_db, 'archive', p_actor);
END $$;

-- Cleanup's detach step for a workspace Coder confirmed deleted: never in a
-- protected database. The database then follows the on_last_detach its
-- template gave when the workspace attached (record_last_detach; keep when
-- none was recorded), as the provider's destroy would have. Returns 'detached'
-- (with what happened to the database when it was the last attachment) or why
-- it was skipped.
CREATE OR REPLACE FUNCTION provisioning.cleanup_detach(p_db text, p_workspace_id text, p_actor text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_att provisioning.attachments;
  v_action text;
BEGIN
  PERFORM provisioning._lock_database(p_db);
  SELECT * INTO v_att FROM provisioning.attachments a
   WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL;
  IF (SELECT s.protected FROM provisioning.policy_states(p_db) s) THEN
    RETURN 'skipped: protected';
  ELSIF v_att.id IS NULL THEN
    RETURN 'skipped: not attached';
  END IF;
  SELECT d.database_action INTO v_action
    FROM provisioning.detach_workspace(p_workspace_id, p_db, p_actor,
                                       coalesce(v_att.on_last_detach, 'keep'),
                                       coalesce(v_att.final_backup, true)) d;
  RETURN CASE WHEN v_action IS NULL OR v_action = 'kept' THEN 'detached'
              ELSE format('detached (last attachment: %s)', replace(v_action, '_', ' ')) END;
END $$;
