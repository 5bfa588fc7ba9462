-- attach_workspace gained p_if_attached (provisioning/sql/attachments.sql) after
-- p_access (009): the twelve-argument list goes, or calls would be ambiguous
-- between the two overloads.
DROP FUNCTION IF EXISTS provisioning.attach_workspace(text, text, text, text, text, text, text, text, int, text, text, text);
