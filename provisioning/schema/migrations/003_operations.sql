-- The provisioning operations (docs/security.md). Their functions are defined in
-- provisioning/sql/ (helpers, databases, attachments, access), repeatable files
-- (docs/architecture-sql.md); this migration keeps the state they need.

-- Loopback target of the operations' DDL (provisioning/sql/helpers.sql): host
-- and port are set by `devdb up` or configure_loopback(); the password lives in
-- the user mapping, visible only to its role and superusers.
DO $$
BEGIN
  EXECUTE format('CREATE SERVER devdb_loopback FOREIGN DATA WRAPPER dblink_fdw '
                 'OPTIONS (host %L, port %L, dbname %L)', '127.0.0.1', '5432', current_database());
END $$;
