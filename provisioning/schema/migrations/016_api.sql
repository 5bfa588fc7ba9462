-- The control plane's state (docs/api.md): admin API tokens and the dashboard's
-- login sessions. Only hashes are stored: a token or a session id is shown to
-- its holder once and cannot be read back from here.

CREATE TABLE provisioning.api_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  role         text NOT NULL CHECK (role IN ('admin', 'viewer')),
  -- sha256 (hex) of the token: the token has 256 random bits, so no salt or slow hash is needed.
  hash         text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- A dashboard login: the cookie's session id and the CSRF token the browser
-- sends back in a header, both hashed; it lives while its token is not revoked.
CREATE TABLE provisioning.api_sessions (
  id_hash    text PRIMARY KEY,
  token_id   bigint NOT NULL REFERENCES provisioning.api_tokens ON DELETE CASCADE,
  csrf_hash  text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX api_sessions_token_idx ON provisioning.api_sessions (token_id);
