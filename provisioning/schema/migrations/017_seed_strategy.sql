-- Seeds are copied by a strategy chosen from their size (provisioning/sql/databases.sql,
-- `_seed_copy_strategy`): `_copy_database` now returns the strategy it used, and a
-- function's return type cannot be replaced in place.
DROP FUNCTION IF EXISTS provisioning._copy_database(text, text, text, text, boolean);
