-- Each pool server's health as last probed (docs/servers.md, "A server that
-- cannot be reached"): the router probes a member before handing it out, and
-- `devdb serve`'s `server_health` job probes every server each minute. A server
-- with `unreachable_since` set takes no new database (least_loaded_server,
-- servers.sql) until a probe reaches it again, which clears it.
ALTER TABLE provisioning.servers
  -- The last probe that reached it (provisioning._now(), the server's clock).
  ADD COLUMN last_reached_at timestamptz,
  -- Since when probes fail; NULL: the last probe reached it (or none ran yet).
  ADD COLUMN unreachable_since timestamptz,
  -- Why the last probe failed (`connection refused`, never a password); NULL when it reached it.
  ADD COLUMN last_error text;
