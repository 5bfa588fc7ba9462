-- Who may run what. Applied after the other files whenever any of them is
-- (provisioning/schema/migrate.ts), so a function added by any file is covered even
-- though this file did not change. Nothing in the provisioning schema is meant
-- for PUBLIC (functions are executable by PUBLIC by default).
--
-- Repeatable file: see docs/architecture-sql.md.

-- The per-schema default (migration 001) cannot take away what the global
-- defaults give (per-schema defaults only add), hence the global one too:
-- functions the provisioner creates later start without PUBLIC's EXECUTE.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA provisioning REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA provisioning FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA provisioning FROM PUBLIC;

-- Workspace login roles (through devdb_workspace) run the agent's report, nothing else.
GRANT USAGE ON SCHEMA provisioning TO devdb_workspace;
GRANT EXECUTE ON FUNCTION provisioning.report_access() TO devdb_workspace;
-- …and their snapshots, restores and resets (snapshots.sql; docs/security.md,
-- "Snapshots from the workspace"): one entry point, no database argument.
GRANT EXECUTE ON FUNCTION provisioning.workspace_snapshots(text, text) TO devdb_workspace;

-- The agent's enrollment role (migration 015) runs enroll(), nothing else
-- (docs/security.md, "Enrollment: no password in Terraform state").
GRANT USAGE ON SCHEMA provisioning TO devdb_enroll;
GRANT EXECUTE ON FUNCTION provisioning.enroll(text, text, text) TO devdb_enroll;
