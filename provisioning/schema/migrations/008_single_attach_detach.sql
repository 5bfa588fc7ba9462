-- One attach_workspace and one detach_workspace (provisioning/sql/attachments.sql).
-- Until now each had two overloads: attach_workspace with p_seed_from and
-- detach_workspace with p_on_last_detach were wrappers around the originals.
-- The wrappers' signatures, with defaults for the trailing arguments, now hold
-- the whole implementation, so the originals go: calls with fewer arguments
-- resolve to the one that is left (and would be ambiguous if both stayed).
DROP FUNCTION IF EXISTS provisioning.attach_workspace(text, text, text, text, text, text, text, text, int, text);
DROP FUNCTION IF EXISTS provisioning.detach_workspace(text, text, text);
