-- Enrollment (docs/security.md, "Enrollment: no password in Terraform state"):
-- single-use tokens that let a workspace's agent set its own login role's
-- password, and the role the agent calls in with. The functions are defined in
-- provisioning/sql/enrollment.sql, a repeatable file (docs/architecture-sql.md).

-- One row per token issued. Only the token's SHA-256 is kept: the registry (and
-- a backup of it) cannot be turned back into a usable token. A token is usable
-- while it is the attachment's newest, unconsumed, unrevoked and unexpired.
CREATE TABLE provisioning.enrollment_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attachment_id bigint NOT NULL REFERENCES provisioning.attachments ON DELETE CASCADE,
  token_sha256  bytea NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
  issued_at     timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  consumed_at   timestamptz,
  -- Replaced by a newer token, or by a password set for the attachment.
  revoked_at    timestamptz,
  CHECK (expires_at > issued_at),
  CHECK (consumed_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX enrollment_tokens_attachment_idx ON provisioning.enrollment_tokens (attachment_id, id);

-- The agent logs in as devdb_enroll to call provisioning.enroll(), which is all
-- it may do (grants.sql): no CONNECT on any other database, no table, no other
-- function. Its password is public on purpose (the same constant is
-- ENROLLMENT_ROLE_PASSWORD in provisioning/enrollment-protocol.ts): it is no
-- secret of any database, only a way through SCRAM authentication to that one
-- function; the secret is the token. The connection limit keeps anyone who
-- knows it from taking the server's connection slots.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'devdb_enroll') THEN
    SET LOCAL password_encryption = 'scram-sha-256';
    CREATE ROLE devdb_enroll LOGIN NOINHERIT CONNECTION LIMIT 20 PASSWORD 'devdb-enroll';
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO devdb_enroll', current_database());
END $$;
