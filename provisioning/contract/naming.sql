-- Naming rules inside the server (docs/architecture.md, "Names"). They mirror provisioning/contract/naming.ts,
-- which gives callers the same messages before any SQL runs; a generated test
-- checks that both accept the same inputs and produce the same names.
--
-- Repeatable file: see docs/architecture-sql.md.

CREATE OR REPLACE FUNCTION provisioning.normalize_username(p_username text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_username IS NULL OR length(p_username) > 32
     OR p_username !~ '^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$' THEN
    RAISE EXCEPTION 'invalid username %: must be a Coder username: 1–32 letters or digits, in groups separated by single hyphens (e.g. "alice", "jane-doe")',
      coalesce(quote_literal(p_username), '(null)')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN lower(p_username);
END $$;

CREATE OR REPLACE FUNCTION provisioning.validate_team_name(p_team text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_team IS NULL OR length(p_team) > 40 OR p_team !~ '^[a-z][a-z0-9-]*$' THEN
    RAISE EXCEPTION 'invalid team name %: must be 1–40 characters of lowercase letters, digits and hyphens, starting with a letter (e.g. "frontend-project")',
      coalesce(quote_literal(p_team), '(null)')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN p_team;
END $$;

CREATE OR REPLACE FUNCTION provisioning.validate_workspace_id(p_id text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_id IS NULL OR p_id !~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' THEN
    RAISE EXCEPTION 'invalid workspace id %: must be 1–128 characters of letters, digits, ".", "_", ":" and "-", starting with a letter or digit (Coder workspace ids are UUIDs)',
      coalesce(quote_literal(p_id), '(null)')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN p_id;
END $$;

CREATE OR REPLACE FUNCTION provisioning.individual_db_name(p_username text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'dev_' || replace(provisioning.normalize_username(p_username), '-', '_');

CREATE OR REPLACE FUNCTION provisioning.team_db_name(p_team text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'team_' || replace(provisioning.validate_team_name(p_team), '-', '_');

-- A member's schema in a team database; see personalSchemaName() in naming.ts.
CREATE OR REPLACE FUNCTION provisioning.personal_schema_name(p_username text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN (SELECT CASE WHEN base LIKE 'pg\_%' THEN '_' || base
                    WHEN base IN ('public', 'shared', 'information_schema') THEN base || '_'
                    ELSE base END
        FROM (SELECT replace(provisioning.normalize_username(p_username), '-', '_') AS base) b);

-- A workspace's login role: readable (owner first), one per (database, workspace),
-- deterministic so that a re-run after a crash adopts the role it left behind.
-- The `ws_` prefix keeps it apart from owner roles (`dev_`, `team_`); at most 52 bytes.
CREATE OR REPLACE FUNCTION provisioning.login_role_name(p_owner text, p_db text, p_workspace_id text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'ws_' || replace(provisioning.normalize_username(p_owner), '-', '_') || '_'
       || left(encode(sha256(convert_to(p_db || '/' || p_workspace_id, 'UTF8')), 'hex'), 16);

-- A database's read role (access = read); see readRoleName() in naming.ts.
-- The `ro_` prefix keeps it apart from owner roles (`dev_`, `team_`) and login
-- roles (`ws_`); database names are at most 45 bytes, so this is at most 48.
CREATE OR REPLACE FUNCTION provisioning.read_role_name(p_db text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'ro_' || p_db;
