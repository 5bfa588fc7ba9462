-- The CA certificate (PEM) a pool server's TLS certificate is signed by
-- (docs/servers.md, "TLS"): handed to the workspaces whose databases it holds,
-- and used by DevDB's own connections to it. NULL: the server's connections
-- are not verified against a CA DevDB knows.
ALTER TABLE provisioning.servers ADD COLUMN ca_cert text;
