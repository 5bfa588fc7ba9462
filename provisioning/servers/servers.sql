-- The server pool's placement (docs/servers.md): how loaded each server is and
-- where a new database goes. Runs on the central server.
--
-- Repeatable file: see docs/architecture-sql.md.

DROP VIEW IF EXISTS provisioning.server_load;

-- Databases per server: its placements, and on the central server also every
-- database not dropped that has none (made before the pool existed, or by a
-- path that does not place, such as the SQL entry points).
CREATE VIEW provisioning.server_load AS
SELECT s.name, s.state, s.max_databases, s.max_bytes, s.used_bytes,
       (SELECT count(*) FROM provisioning.placements p WHERE p.server_name = s.name)
       + CASE WHEN s.admin_url IS NULL THEN
           (SELECT count(*) FROM provisioning.databases d
             WHERE d.status <> 'dropped'
               AND NOT EXISTS (SELECT FROM provisioning.placements p WHERE p.db_name = d.db_name))
         ELSE 0 END AS databases,
       s.unreachable_since
  FROM provisioning.servers s;

-- The server that holds p_db: its placement, else the central server.
CREATE OR REPLACE FUNCTION provisioning.server_of(p_db text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT p.server_name FROM provisioning.placements p WHERE p.db_name = p_db),
                  (SELECT s.name FROM provisioning.servers s WHERE s.admin_url IS NULL));
$$;

-- The least-loaded active server with room that the last probe reached (a
-- server with unreachable_since set is skipped until a probe reaches it again):
-- the lowest of the larger of its two fill ratios (databases, bytes), then
-- fewest databases, fewest bytes, name; NULL when none has room. Where new
-- databases go, and where `devdb servers drain` moves a draining server's databases.
CREATE OR REPLACE FUNCTION provisioning.least_loaded_server() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT l.name
    FROM provisioning.server_load l
   WHERE l.state = 'active'
     AND l.unreachable_since IS NULL
     AND l.databases < l.max_databases
     AND (l.max_bytes IS NULL OR l.used_bytes < l.max_bytes)
   ORDER BY greatest(l.databases::float8 / l.max_databases,
                     coalesce(l.used_bytes::float8 / l.max_bytes, 0)),
            l.databases, l.used_bytes, l.name
   LIMIT 1;
$$;

-- Where p_db lives, placing it first when it is new: next to p_seed when it is
-- copied from one (CREATE DATABASE copies only within a server), else on the
-- least-loaded server (above). Placements are taken one at a time (one
-- advisory lock), so concurrent creates see each other's choice. `placed`:
-- this call made the placement (the router lets it go again when the server
-- then fails its probe or does not create the database: release_placement).
CREATE OR REPLACE FUNCTION provisioning.claim_placement(p_db text, p_seed text DEFAULT NULL,
                                                        OUT server text, OUT placed boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_unreachable text;
BEGIN
  PERFORM pg_advisory_xact_lock(1684371056, 0); -- 1684371056 = 'devp'
  placed := false;
  SELECT p.server_name INTO server FROM provisioning.placements p WHERE p.db_name = p_db;
  IF FOUND THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db AND d.status <> 'dropped') THEN
    server := provisioning.server_of(p_db); -- made before the pool: it stays where it is
    RETURN;
  END IF;
  IF p_seed IS NOT NULL THEN
    server := provisioning.server_of(p_seed);
  ELSE
    server := provisioning.least_loaded_server();
  END IF;
  IF server IS NULL THEN
    SELECT string_agg(l.name, ', ' ORDER BY l.name) INTO v_unreachable
      FROM provisioning.server_load l
     WHERE l.state = 'active' AND l.unreachable_since IS NOT NULL
       AND l.databases < l.max_databases AND (l.max_bytes IS NULL OR l.used_bytes < l.max_bytes);
    RAISE EXCEPTION 'no DevDB server can take database %: none is active with room%', quote_literal(p_db),
          coalesce(' and reachable (unreachable: ' || v_unreachable || ')', '')
      USING ERRCODE = 'insufficient_resources',
            HINT = '`devdb servers list` shows them; resume a paused one, raise --max-databases or --max-bytes, or add one with `devdb servers add`';
  END IF;
  INSERT INTO provisioning.placements (db_name, server_name) VALUES (p_db, server);
  placed := true;
END $$;

-- claim_placement's server: where p_db lives, placed first when it is new.
CREATE OR REPLACE FUNCTION provisioning.place_database(p_db text, p_seed text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
  SELECT c.server FROM provisioning.claim_placement(p_db, p_seed) c;
$$;

-- Lets go of p_db's placement on p_server (not one being moved): its server
-- did not create it (docs/servers.md, "A server that cannot be reached").
-- True when there was one to let go.
CREATE OR REPLACE FUNCTION provisioning.release_placement(p_db text, p_server text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1684371056, 0); -- placements change one at a time
  DELETE FROM provisioning.placements p
   WHERE p.db_name = p_db AND p.server_name = p_server AND p.moving_to IS NULL;
  RETURN FOUND;
END $$;

-- On a pool server: whether it holds p_db, in its catalog or in its registry
-- (archived, say). Asked after a create there failed, under the database's
-- lock: a create of it under way there is waited for.
CREATE OR REPLACE FUNCTION provisioning.holds_database(p_db text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM provisioning._lock_database_shared(p_db);
  RETURN EXISTS (SELECT FROM pg_database d WHERE d.datname = p_db)
      OR EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db AND d.status <> 'dropped');
END $$;

-- A probe's outcome for server p_name (provisioning/servers/router.ts): NULL
-- p_error, it answered (last_reached_at now, unreachable_since and last_error
-- cleared); else why it did not (unreachable_since kept from the first failure).
CREATE OR REPLACE FUNCTION provisioning.record_server_health(p_name text, p_error text) RETURNS void
LANGUAGE sql AS $$
  UPDATE provisioning.servers s
     SET last_reached_at = CASE WHEN p_error IS NULL THEN provisioning._now() ELSE s.last_reached_at END,
         unreachable_since = CASE WHEN p_error IS NULL THEN NULL
                                  ELSE coalesce(s.unreachable_since, provisioning._now()) END,
         last_error = p_error
   WHERE s.name = p_name;
$$;

-- Claims p_db for p_server, the one place a name is made outside place_database
-- (a backup restored under a new name on the backup's server; a database made
-- on the central server by a path that does not place: ensure_database's
-- _claim_here). Under the placement lock, as place_database: a name placed
-- elsewhere, or made before the pool on the central server, stays where it is.
-- Returns the server that holds p_db now: p_server, or where it already was.
CREATE OR REPLACE FUNCTION provisioning.claim_database(p_db text, p_server text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_server text;
BEGIN
  PERFORM pg_advisory_xact_lock(1684371056, 0); -- placements change one at a time
  SELECT p.server_name INTO v_server FROM provisioning.placements p WHERE p.db_name = p_db;
  IF FOUND THEN
    RETURN v_server;
  END IF;
  IF EXISTS (SELECT FROM provisioning.databases d WHERE d.db_name = p_db AND d.status <> 'dropped') THEN
    RETURN provisioning.server_of(p_db);
  END IF;
  INSERT INTO provisioning.placements (db_name, server_name) VALUES (p_db, p_server);
  RETURN p_server;
END $$;

-- ensure_database's check before it makes p_db on this server: on the central
-- server of a pool, a name placed on another server is refused (unless it is
-- moving here), and a new one is claimed for this server, so no other path
-- places it elsewhere meanwhile. A server without members (a member's own
-- registry lists only itself) has nothing to check: the central server placed
-- the name before anything was routed here.
CREATE OR REPLACE FUNCTION provisioning._claim_here(p_db text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_here text;
  v_placed provisioning.placements;
  v_server text;
BEGIN
  IF NOT EXISTS (SELECT FROM provisioning.servers s WHERE s.admin_url IS NOT NULL) THEN
    RETURN;
  END IF;
  SELECT s.name INTO v_here FROM provisioning.servers s WHERE s.admin_url IS NULL;
  SELECT * INTO v_placed FROM provisioning.placements p WHERE p.db_name = p_db;
  IF FOUND AND v_here IN (v_placed.server_name, v_placed.moving_to) THEN
    RETURN;
  END IF;
  v_server := coalesce(v_placed.server_name, provisioning.claim_database(p_db, v_here));
  IF v_server <> v_here THEN
    RAISE EXCEPTION 'database % is on server %, not on this one (%)', p_db, v_server, v_here
      USING ERRCODE = 'duplicate_database',
            HINT = 'a name lives on one server of the pool: make it through the pool (devdb provision, devdb create-team, the provider or the REST API), which go to its server';
  END IF;
END $$;

-- Starts (or, after a crash, resumes) moving p_db to p_to (provisioning/servers/move.ts):
-- records `moving_to`, so every later run finishes this same move. Returns the
-- server it leaves. A move to an older major version is refused: pg_restore
-- cannot read a newer pg_dump's archive.
CREATE OR REPLACE FUNCTION provisioning.start_move(p_db text, p_to text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_from text := provisioning.server_of(p_db);
  v_moving text;
  v_target provisioning.servers;
BEGIN
  PERFORM pg_advisory_xact_lock(1684371056, 0); -- placements change one at a time
  SELECT * INTO v_target FROM provisioning.servers s WHERE s.name = p_to;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no DevDB server named %', quote_literal(p_to)
      USING ERRCODE = 'undefined_object', HINT = '`devdb servers list` shows them';
  END IF;
  SELECT p.moving_to INTO v_moving FROM provisioning.placements p WHERE p.db_name = p_db;
  IF v_moving IS NOT NULL AND v_moving <> p_to THEN
    RAISE EXCEPTION 'database % is being moved to %', p_db, v_moving
      USING ERRCODE = 'object_in_use', HINT = format('finish that move first: devdb move %s --to %s', p_db, v_moving);
  END IF;
  IF v_moving IS NULL THEN
    IF v_from = p_to THEN
      RAISE EXCEPTION 'database % is already on server %', p_db, p_to USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF v_target.state = 'draining' THEN
      RAISE EXCEPTION 'server % is draining: nothing moves to it', p_to
        USING ERRCODE = 'invalid_parameter_value', HINT = 'resume it first: devdb servers resume ' || p_to;
    END IF;
    IF v_target.major_version < (SELECT s.major_version FROM provisioning.servers s WHERE s.name = v_from) THEN
      RAISE EXCEPTION 'server % runs PostgreSQL %, older than %''s: a dump cannot be restored into an older major version',
        p_to, v_target.major_version, v_from USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  INSERT INTO provisioning.placements AS p (db_name, server_name, moving_to) VALUES (p_db, v_from, p_to)
  ON CONFLICT (db_name) DO UPDATE SET moving_to = p_to;
  RETURN v_from;
END $$;

-- The switch of a move: from now on p_db is on the server it was moving to.
CREATE OR REPLACE FUNCTION provisioning.finish_move(p_db text) RETURNS text
LANGUAGE sql AS $$
  UPDATE provisioning.placements p
     SET server_name = p.moving_to, moving_to = NULL, moved_at = now()
   WHERE p.db_name = p_db AND p.moving_to IS NOT NULL
  RETURNING p.server_name;
$$;
