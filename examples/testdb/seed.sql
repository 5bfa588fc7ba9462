-- TestDB: the guide's sample team database. Load it once as the team's owner
-- (a write credential of team_testdb); contractors then attach read-only.
-- Everything here belongs to the owner role, so read credentials can SELECT it
-- all, and whatever the owner adds later too (docs/security.md, "Access levels").
\set ON_ERROR_STOP on
BEGIN;

CREATE SCHEMA app;

CREATE TABLE app.users (
  id        int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username  text NOT NULL UNIQUE,  -- the Coder username
  full_name text NOT NULL,
  email     text NOT NULL UNIQUE
);

CREATE TABLE app.projects (
  id       int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name     text NOT NULL UNIQUE,
  owner_id int NOT NULL REFERENCES app.users
);

CREATE TABLE app.tasks (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  int NOT NULL REFERENCES app.projects,
  title       text NOT NULL,
  status      text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
  assignee_id int REFERENCES app.users,
  due         date
);

-- The tasks of the user named by the session setting app.username (a Coder
-- username): `SET app.username = 'carol'`. Sessions log in as per-workspace
-- roles, not as the user, so the setting says whose tasks to show; unset, none.
CREATE VIEW app.my_tasks AS
  SELECT t.id, p.name AS project, t.title, t.status, t.due
    FROM app.tasks t
    JOIN app.projects p ON p.id = t.project_id
    JOIN app.users u ON u.id = t.assignee_id
   WHERE u.username = current_setting('app.username', true);

INSERT INTO app.users (username, full_name, email) VALUES
  ('lead',  'Lee Adams',    'lee@example.com'),
  ('carol', 'Carol Diaz',   'carol@example.com'),
  ('dave',  'Dave Okafor',  'dave@example.com');

INSERT INTO app.projects (name, owner_id) VALUES
  ('website', 1),
  ('billing', 1);

INSERT INTO app.tasks (project_id, title, status, assignee_id, due) VALUES
  (1, 'Fix the login form',         'doing', 2, '2030-01-15'),
  (1, 'Write the style guide',      'todo',  3, '2030-02-01'),
  (2, 'Export invoices as CSV',     'todo',  2, '2030-01-31'),
  (2, 'Review the tax rules',       'done',  1, NULL),
  (1, 'Compress the hero images',   'todo',  NULL, NULL);

COMMIT;
