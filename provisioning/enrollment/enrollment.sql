-- Enrollment (docs/security.md, "Enrollment: no password in Terraform state"):
-- the provider issues a workspace's attachment a single-use token, stored here
-- only as its SHA-256; the workspace's agent makes its password itself and
-- hands enroll() the token and the password's SCRAM verifier, so neither
-- Terraform's state nor DevDB ever holds the password.
--
-- Repeatable file: see docs/architecture-sql.md. Tables and the devdb_enroll
-- role: migration 015.

-- How long a new token stays usable: the setting enrollment_token_ttl (an
-- interval, default 15 minutes), or an error that says how to fix it.
CREATE OR REPLACE FUNCTION provisioning._enrollment_token_ttl() RETURNS interval
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_raw text := (SELECT s.value FROM provisioning.settings s WHERE s.key = 'enrollment_token_ttl');
  v_ttl interval;
BEGIN
  BEGIN
    v_ttl := coalesce(v_raw, '15 minutes')::interval;
  EXCEPTION WHEN data_exception THEN
    v_ttl := NULL;
  END;
  IF v_ttl IS NULL OR v_ttl <= interval '0' THEN
    RAISE EXCEPTION 'the setting enrollment_token_ttl is %, not a positive interval', quote_literal(v_raw)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'set it to an interval such as ''15 minutes'' or ''1 hour'' in provisioning.settings, or delete it for the default (15 minutes)';
  END IF;
  RETURN v_ttl;
END $$;

-- PostgreSQL's own format, which CREATE/ALTER ROLE … PASSWORD store as they are:
-- SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64, 32-byte
-- keys). Anything else would be taken for a plain password and hashed, so it is
-- refused before it gets there; fewer iterations than PostgreSQL's 4096 too.
CREATE OR REPLACE FUNCTION provisioning._is_scram_verifier(p_verifier text) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN p_verifier ~ '^SCRAM-SHA-256\$[0-9]{4,9}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$'
            THEN split_part(split_part(p_verifier, '$', 2), ':', 1)::int >= 4096
            ELSE false END;

-- An attachment's tokens that could still be used stop being usable: a newer
-- token or a password replaces them.
CREATE OR REPLACE FUNCTION provisioning._revoke_enrollment_tokens(p_attachment_id bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE provisioning.enrollment_tokens t SET revoked_at = now()
   WHERE t.attachment_id = p_attachment_id AND t.consumed_at IS NULL AND t.revoked_at IS NULL;
$$;

-- Sets a login role's password to a SCRAM verifier, or with NULL leaves it
-- without one (nobody can log in as it until an agent enrolls).
CREATE OR REPLACE FUNCTION provisioning._set_login_password(p_role text, p_verifier text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_conn text := provisioning._remote_open(current_database());
BEGIN
  PERFORM provisioning._remote(v_conn, format('ALTER ROLE %I PASSWORD %s', p_role,
                                              coalesce(quote_literal(p_verifier), 'NULL')));
  PERFORM provisioning._remote_close(v_conn);
END $$;

-- The workspace's live attachment to p_db, under the locks an attach of it
-- holds: the database's in shared mode, then the member's (so its login role is
-- changed by one operation at a time, and a detach waits).
CREATE OR REPLACE FUNCTION provisioning._lock_live_member(p_db text, p_ws text) RETURNS provisioning.attachments
LANGUAGE plpgsql AS $$
DECLARE
  v_att provisioning.attachments;
BEGIN
  PERFORM provisioning._lock_database_shared(p_db);
  v_att := provisioning._live_attachment(p_db, p_ws); -- maintenance.sql
  PERFORM provisioning._lock_member(p_db, v_att.owner_username);
  RETURN provisioning._live_attachment(p_db, p_ws);
END $$;

-- Issues the attachment a new token (the caller made it and sends only its
-- SHA-256); earlier unused ones stop being usable. p_clear_password removes the
-- login role's password too: switching a workspace from a password kept in
-- Terraform state to enrollment makes that password useless.
CREATE OR REPLACE FUNCTION provisioning.issue_enrollment_token(
  p_db text, p_workspace_id text, p_token_sha256 bytea, p_clear_password boolean DEFAULT false,
  p_actor text DEFAULT NULL
) RETURNS TABLE (login_role text, expires_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_ttl interval := provisioning._enrollment_token_ttl();
  v_att provisioning.attachments;
  v_expires timestamptz;
BEGIN
  IF p_token_sha256 IS NULL OR octet_length(p_token_sha256) <> 32 THEN
    RAISE EXCEPTION 'issue_enrollment_token takes the SHA-256 of the token (32 bytes), never the token'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_att := provisioning._lock_live_member(p_db, v_ws);
  IF coalesce(p_clear_password, false) THEN
    PERFORM provisioning._set_login_password(v_att.login_role, NULL);
  END IF;
  PERFORM provisioning._revoke_enrollment_tokens(v_att.id);
  v_expires := now() + v_ttl;
  INSERT INTO provisioning.enrollment_tokens (attachment_id, token_sha256, expires_at)
  VALUES (v_att.id, p_token_sha256, v_expires);
  PERFORM provisioning._log(p_actor, 'enrollment.issue', p_db, v_ws, jsonb_build_object(
    'login_role', v_att.login_role, 'expires_at', v_expires, 'password_cleared', coalesce(p_clear_password, false)));
  login_role := v_att.login_role;
  expires_at := v_expires;
  RETURN NEXT;
END $$;

-- A password for a live attachment (password mode): the login role gets the
-- verifier, and tokens not used yet stop being usable, so none can replace it.
CREATE OR REPLACE FUNCTION provisioning.set_attachment_password(
  p_db text, p_workspace_id text, p_password_verifier text, p_actor text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_ws text := provisioning.validate_workspace_id(p_workspace_id);
  v_att provisioning.attachments;
BEGIN
  IF NOT provisioning._is_scram_verifier(p_password_verifier) THEN
    RAISE EXCEPTION 'set_attachment_password needs a SCRAM-SHA-256 verifier, not a password'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_att := provisioning._lock_live_member(p_db, v_ws);
  PERFORM provisioning._set_login_password(v_att.login_role, p_password_verifier);
  PERFORM provisioning._revoke_enrollment_tokens(v_att.id);
  PERFORM provisioning._log(p_actor, 'workspace.password', p_db, v_ws,
                            jsonb_build_object('login_role', v_att.login_role));
  RETURN v_att.login_role;
END $$;

-- What the provider's refresh needs to know of an attachment's newest token:
-- usable; expiring (more than half its life gone: a workspace started now might
-- find it expired by the time its agent runs); used; expired; or missing (none,
-- revoked, or no live attachment).
CREATE OR REPLACE FUNCTION provisioning.enrollment_token_state(p_db text, p_workspace_id text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
           WHEN t.id IS NULL OR t.revoked_at IS NOT NULL THEN 'missing'
           WHEN t.consumed_at IS NOT NULL THEN 'used'
           WHEN t.expires_at <= now() THEN 'expired'
           WHEN t.expires_at - now() < (t.expires_at - t.issued_at) / 2 THEN 'expiring'
           ELSE 'usable'
         END
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
      SELECT e.* FROM provisioning.attachments a
        JOIN provisioning.enrollment_tokens e ON e.attachment_id = a.id
       WHERE a.db_name = p_db AND a.workspace_id = p_workspace_id AND a.detached_at IS NULL
       ORDER BY e.id DESC LIMIT 1
    ) t ON true;
$$;

-- The agent's call, as devdb_enroll (the only thing that role may run): checks
-- and consumes the token and gives the token's login role the password whose
-- SCRAM verifier the agent computed. Refusals raise distinct SQLSTATEs
-- (provisioning/contract/enrollment-protocol.ts) and consume nothing.
--
-- The locks are attach's (_lock_live_member): of two agents racing with one
-- token the second waits for the first to commit, then finds it used. The
-- password is set in this transaction, not on the loopback session, so the
-- token's consumption and the new password commit together; this transaction
-- opens no loopback session that could wait for the role's row.
CREATE OR REPLACE FUNCTION provisioning.enroll(p_token text, p_login_role text, p_password_verifier text)
RETURNS TABLE (db_name text, login_role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_hash bytea := sha256(convert_to(coalesce(p_token, ''), 'UTF8'));
  v_token provisioning.enrollment_tokens;
  v_att provisioning.attachments;
BEGIN
  IF NOT provisioning._is_scram_verifier(p_password_verifier) THEN
    RAISE EXCEPTION 'enroll takes the SCRAM-SHA-256 verifier of the new password (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, at least 4096 iterations), never the password'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT a.* INTO v_att FROM provisioning.enrollment_tokens t
    JOIN provisioning.attachments a ON a.id = t.attachment_id
   WHERE t.token_sha256 = v_hash;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'not a DevDB enrollment token' USING ERRCODE = 'DV010',
      HINT = 'DEVDB_ENROLL_TOKEN comes from the workspace''s devdb_database resource; restart the workspace for a current one';
  END IF;
  PERFORM provisioning._lock_database_shared(v_att.db_name);
  PERFORM provisioning._lock_member(v_att.db_name, v_att.owner_username);
  SELECT * INTO v_token FROM provisioning.enrollment_tokens t WHERE t.token_sha256 = v_hash FOR UPDATE;
  SELECT * INTO v_att FROM provisioning.attachments a WHERE a.id = v_token.attachment_id;
  IF v_token.consumed_at IS NOT NULL THEN
    RAISE EXCEPTION 'this enrollment token was already used, at %', v_token.consumed_at USING ERRCODE = 'DV011',
      HINT = 'a token works once; restart the workspace for a new one';
  ELSIF v_att.detached_at IS NOT NULL THEN
    RAISE EXCEPTION 'the workspace this enrollment token was issued for was detached from % at %', v_att.db_name, v_att.detached_at
      USING ERRCODE = 'DV013';
  ELSIF v_token.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'this enrollment token was replaced at % (by a newer token or a password)', v_token.revoked_at
      USING ERRCODE = 'DV013', HINT = 'restart the workspace so it gets the current one';
  ELSIF v_token.expires_at <= now() THEN
    RAISE EXCEPTION 'this enrollment token expired at %', v_token.expires_at USING ERRCODE = 'DV012',
      HINT = 'restart the workspace: its start issues a new token';
  ELSIF v_att.login_role IS DISTINCT FROM p_login_role THEN
    RAISE EXCEPTION 'this enrollment token is for login role %, not %', v_att.login_role, coalesce(p_login_role, '(null)')
      USING ERRCODE = 'DV014', HINT = 'DEVDB_USER and DEVDB_ENROLL_TOKEN must come from the same devdb_database';
  ELSIF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_att.login_role AND r.rolcanlogin) THEN
    RAISE EXCEPTION 'login role % is missing or may not log in', v_att.login_role USING ERRCODE = 'undefined_object',
      HINT = 'the next terraform apply (workspace start) repairs the attachment';
  END IF;
  UPDATE provisioning.enrollment_tokens t SET consumed_at = now() WHERE t.id = v_token.id;
  EXECUTE format('ALTER ROLE %I PASSWORD %L', v_att.login_role, p_password_verifier);
  PERFORM provisioning._log('devdb-agent', 'enrollment.enroll', v_att.db_name, v_att.workspace_id,
    jsonb_build_object('login_role', v_att.login_role, 'token_issued_at', v_token.issued_at));
  db_name := v_att.db_name;
  login_role := v_att.login_role;
  RETURN NEXT;
END $$;
