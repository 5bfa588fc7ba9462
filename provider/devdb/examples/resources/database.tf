# The Coder pattern: the template's parameters choose the database; `none` (and a
# prebuilt workspace, owned by "prebuilds" until claimed) gets no database.
resource "devdb_database" "db" {
  count = (data.coder_parameter.database_type.value == "none" || data.coder_workspace.me.is_prebuild) ? 0 : 1

  type           = data.coder_parameter.database_type.value # individual | team
  owner          = data.coder_workspace_owner.me.name
  owner_id       = data.coder_workspace_owner.me.id              # keeps the database across renames
  team           = data.coder_parameter.team_database_name.value # used when type = "team"
  workspace_id   = data.coder_workspace.me.id
  workspace_name = data.coder_workspace.me.name
  template       = data.coder_workspace.me.template_name
  on_last_detach = "keep"
  # No password in the state: devdb-agent enrolls one with the token below.
  credentials = "enrollment"
}

# Inject DEVDB_* into the workspace: one coder_env per variable. (Not for_each over
# env: it is sensitive, and Terraform refuses sensitive for_each values.)
locals {
  devdb_env = ["DEVDB_HOST", "DEVDB_PORT", "DEVDB_NAME", "DEVDB_USER", "DEVDB_URL"]
}

resource "coder_env" "devdb" {
  count    = length(devdb_database.db) == 0 ? 0 : length(local.devdb_env)
  agent_id = coder_agent.main.id
  name     = local.devdb_env[count.index]
  value    = devdb_database.db[0].env[local.devdb_env[count.index]]
}

# The single-use enrollment token for `devdb-agent start` (never a password).
resource "coder_env" "devdb_enroll_token" {
  count    = length(devdb_database.db)
  agent_id = coder_agent.main.id
  name     = "DEVDB_ENROLL_TOKEN"
  value    = devdb_database.db[0].enrollment_token
}

# The server's CA ("" while it serves no TLS): devdb-agent start writes it where
# libpq finds it, so sslmode=verify-full in DEVDB_URL just works.
resource "coder_env" "devdb_ca_cert" {
  count    = length(devdb_database.db)
  agent_id = coder_agent.main.id
  name     = "DEVDB_CA_CERT"
  value    = devdb_database.db[0].ca_cert
}
