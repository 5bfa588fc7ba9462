-- What happens around an attachment's life (docs/resources/database.md; docs/architecture.md, "Last access and lifecycle"): on_last_detach,
-- restore, seed_from, drift state. Their functions are defined in
-- provisioning/sql/ (lifecycle, databases, attachments, maintenance), repeatable
-- files (docs/architecture-sql.md).

-- ensure_database gained p_seed_from (provisioning/sql/databases.sql). IF EXISTS:
-- on a fresh install no function exists yet when the numbered migrations run.
DROP FUNCTION IF EXISTS provisioning.ensure_database(text, text, text, text, text);
