-- Evidence of access without autovacuum (docs/architecture.md, "Last access and lifecycle").
--
-- 003's record_access counted a database as used when its sessions or
-- xact_commit advanced. But autovacuum workers commit transactions in every
-- database that has statistics, once per autovacuum_naptime (1 min by default),
-- whether anyone used it or not: measured on PostgreSQL 17, an untouched
-- database's xact_commit rose at every autovacuum visit while sessions and
-- session_time stayed put. Every database looked used at nearly every report,
-- so idle databases were never found.
--
-- Sessions and session_time are the evidence now (provisioning/sql/access.sql
-- defines record_access); this adds session_time to the baselines.

ALTER TABLE provisioning.access_baseline ADD COLUMN session_time double precision NOT NULL DEFAULT 0;

-- Existing baselines start from today's session_time, so the new rule does not
-- take all the time ever spent in a database for a fresh access.
UPDATE provisioning.access_baseline b
   SET session_time = s.session_time
  FROM pg_stat_database s
 WHERE s.datname = b.db_name AND s.stats_reset IS NOT DISTINCT FROM b.stats_reset;
