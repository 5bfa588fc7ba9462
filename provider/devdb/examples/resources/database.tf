# The Coder pattern: the template's parameters choose the database; `none` (and a
# prebuilt workspace, owned by "prebuilds" until claimed) gets no database.
resource "devdb_database" "db" {
  count = (data.coder_parameter.database_type.value == "none" || data.coder_workspace.me.is_prebuild) ? 0 : 1

  type           = data.coder_parameter.database_type.value       # individual | team
  owner          = data.coder_workspace_owner.me.name
  owner_id       = data.coder_workspace_owner.me.id                # keeps the database across renames
  team           = data.coder_parameter.team_database_name.value  # used when type = "team"
  workspace_id   = data.coder_workspace.me.id
  workspace_name = data.coder_workspace.me.name
  template       = data.coder_workspace.me.template_name
  on_last_detach = "keep"
}

# Inject DEVDB_* into the workspace (DEVDB_PASSWORD from the sensitive attribute).
resource "coder_env" "devdb" {
  for_each = length(devdb_database.db) == 0 ? {} : merge(
    devdb_database.db[0].env,
    { DEVDB_PASSWORD = devdb_database.db[0].password },
  )
  agent_id = coder_agent.main.id
  name     = each.key
  value    = each.value
}
