-- One clock (docs/architecture-sql.md, "One clock"): the functions that took the
-- time from their caller (p_now, p_at) decide by this server's clock now
-- (provisioning._now(), helpers.sql). Their old signatures go, so that no caller
-- can hand a time in any more; the repeatable files create the new ones. The
-- views built on policy_states go first (entry-points.sql creates them again),
-- and the policy's settings gain policy_auto_action (a new return type).

DROP VIEW IF EXISTS provisioning.active_databases;
DROP VIEW IF EXISTS provisioning.database_summary;

DROP FUNCTION IF EXISTS provisioning.policy_states(timestamptz, text);
DROP FUNCTION IF EXISTS provisioning.record_policy_states(timestamptz, text);
DROP FUNCTION IF EXISTS provisioning.mark_policy_notified(text, text, timestamptz);
DROP FUNCTION IF EXISTS provisioning.cleanup_archive(text, timestamptz, text);
DROP FUNCTION IF EXISTS provisioning.cleanup_detach(text, text, timestamptz, text);
DROP FUNCTION IF EXISTS provisioning.sample_databases(timestamptz, interval, interval);
DROP FUNCTION IF EXISTS provisioning._advance_access(text[], timestamptz);
DROP FUNCTION IF EXISTS provisioning.policy_settings();
DROP FUNCTION IF EXISTS provisioning.policy_settings_from(jsonb);

-- What the provider says happens to a database at its last detach, recorded with each
-- attachment (NULL: not said, keep): when Coder deletes a workspace without running
-- the provider's destroy (`coder delete --orphan`), cleanup detaches it once Coder
-- confirms the deletion, and the database follows what its template asked for.
ALTER TABLE provisioning.attachments
  ADD COLUMN on_last_detach text CHECK (on_last_detach IN ('keep', 'archive', 'drop')),
  ADD COLUMN final_backup boolean;
