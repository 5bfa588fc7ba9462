-- Read-only attachments (provisioning/sql/access-levels.sql): each attachment
-- records its access level; existing ones were all write.
ALTER TABLE provisioning.attachments
  ADD COLUMN access_level text NOT NULL DEFAULT 'write' CHECK (access_level IN ('write', 'read'));

-- attach_workspace takes p_access, and find_attachment returns access_level:
-- the old signatures go (docs/architecture-sql.md).
DROP FUNCTION IF EXISTS provisioning.attach_workspace(text, text, text, text, text, text, text, text, int, text, text);
DROP FUNCTION IF EXISTS provisioning.find_attachment(text, text);
