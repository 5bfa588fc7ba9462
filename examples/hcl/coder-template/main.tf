# The contractor-workspace Coder template in plain HCL: the same template as
# templates/contractor-workspace (CDK Terrain), for authors who write HCL.
#   coder templates push contractor-workspace -d examples/hcl/coder-template
# The provisioner needs the devdb provider mirror (TF_CLI_CONFIG_FILE) and
# DEVDB_ADMIN_URL in its environment; see the README.

terraform {
  required_providers {
    coder = {
      source  = "coder/coder"
      version = "~> 2.15"
    }
    devdb = {
      source = "devdb/devdb"
    }
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

variable "devdb_host" {
  description = "Host name workspaces use to reach DevDB (e.g. host.docker.internal). Empty: the admin URL host."
  type        = string
  default     = ""
}

variable "devdb_agent_url" {
  description = "Where workspaces whose image has node download devdb-agent (the bundle) from: by default DevDB's control plane (devdb up --api-listen 0.0.0.0:7432), which serves the agent of its own version. Checked against URL/sha256 (or devdb_agent_sha256) at every start; downloaded again only when it differs. Empty: the image ships it."
  type        = string
  default     = "http://host.docker.internal:7432/api/v1/agent/current/node"
}

variable "devdb_agent_sea_url" {
  description = "Where workspaces whose image has no node download the single-executable devdb-agent (linux-x64, ~83 MiB; the control plane serves it once built with `npm run build:agent-sea`) into the home volume (~/.local/bin). Checked against URL/sha256 (or devdb_agent_sea_sha256) at every start; downloaded again only when it differs. Empty: such images must ship devdb-agent."
  type        = string
  default     = "http://host.docker.internal:7432/api/v1/agent/current/linux-x64"
}

variable "devdb_agent_sha256" {
  description = "The bundle's sha256, pinned (e.g. when devdb_agent_url is not DevDB's control plane). Empty: the one the server publishes at devdb_agent_url/sha256."
  type        = string
  default     = ""
}

variable "devdb_agent_sea_sha256" {
  description = "The single executable's sha256, pinned. Empty: the one the server publishes at devdb_agent_sea_url/sha256."
  type        = string
  default     = ""
}

variable "team_choice" {
  description = "How workspaces choose their team: \"free\" types a team name (a new team's database is created on first use), \"list\" picks one of DevDB's existing team databases."
  type        = string
  default     = "free"
  validation {
    condition     = contains(["free", "list"], var.team_choice)
    error_message = "team_choice is \"free\" or \"list\"."
  }
}

variable "image" {
  description = "Workspace image. It needs node >= 18 for the devdb-agent bundle (or set devdb_agent_sea_url), and postgresql-client of the DevDB server's major or newer: pg_dump refuses a newer server (Ubuntu/Debian ship 14-16; PGDG has every major)."
  type        = string
  default     = "codercom/enterprise-node:ubuntu"
}

provider "coder" {}
provider "docker" {}

provider "devdb" {
  host = var.devdb_host != "" ? var.devdb_host : null
}

data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

data "coder_parameter" "database_type" {
  name         = "database_type"
  display_name = "Database"
  description  = "A PostgreSQL database for this workspace, from DevDB."
  type         = "string"
  default      = "individual"
  mutable      = false
  icon         = "/icon/database.svg"
  order        = 10

  option {
    name        = "Individual"
    value       = "individual"
    description = "Your own database (dev_<username>), shared by all your workspaces."
    icon        = "/emojis/1f464.png"
  }
  option {
    name        = "Team"
    value       = "team"
    description = "Your team's shared database (team_<name>); everyone on the team can use it."
    icon        = "/emojis/1f465.png"
  }
  option {
    name        = "None"
    value       = "none"
    description = "No database."
    icon        = "/emojis/26d4.png"
  }
}

# The existing team databases, read only for team_choice = "list".
data "devdb_teams" "all" {
  count = var.team_choice == "list" ? 1 : 0
}

locals {
  # Keyed by value, so Coder lists "No team" ("") first, then the teams by name.
  team_options = var.team_choice == "list" ? {
    for option in concat(
      [{ name = "No team", value = "", description = "For an Individual database, or none." }],
      [for team in flatten(data.devdb_teams.all[*].teams) : {
        name        = team.name
        value       = team.name
        description = "${team.database}: ${length(team.members)} members, ${floor(team.size_bytes / 1048576)} MB"
      }],
    ) : option.value => option
  } : {}
}

# "free": a team name, checked against the team-name rule. "list": one of the
# options above; Coder accepts nothing else, so new teams come from an admin.
data "coder_parameter" "team_database_name" {
  name         = "team_database_name"
  display_name = "Team database name"
  description  = var.team_choice == "list" ? "For a Team database: the team whose database to use. Keep 'No team' otherwise." : "For a Team database: the team name, e.g. frontend-project. Leave empty otherwise."
  type         = "string"
  default      = ""
  mutable      = false
  icon         = "/icon/database.svg"
  order        = 11

  dynamic "option" {
    for_each = local.team_options
    content {
      name        = option.value.name
      value       = option.value.value
      description = option.value.description
    }
  }

  dynamic "validation" {
    for_each = var.team_choice == "free" ? [1] : []
    content {
      regex = "^[a-z][a-z0-9-]{0,39}$|^$"
      error = "Team names are 1–40 lowercase letters, digits and hyphens, starting with a letter (e.g. frontend-project)."
    }
  }
}

resource "coder_agent" "main" {
  arch           = "amd64"
  os             = "linux"
  dir            = "/home/coder"
  startup_script = "#!/bin/sh\nset -e\necho \"workspace ready\"\n"
  env = {
    GIT_AUTHOR_NAME        = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_AUTHOR_EMAIL       = data.coder_workspace_owner.me.email
    DEVDB_AGENT_URL        = var.devdb_agent_url
    DEVDB_AGENT_SEA_URL    = var.devdb_agent_sea_url
    DEVDB_AGENT_SHA256     = var.devdb_agent_sha256
    DEVDB_AGENT_SEA_SHA256 = var.devdb_agent_sea_sha256
  }

  metadata {
    key          = "devdb"
    display_name = "Database"
    # Every DevDB script puts ~/.local/bin (where the start script downloads
    # devdb-agent to) first on the PATH: Coder runs scripts without it.
    script   = "export PATH=\"$HOME/.local/bin:$PATH\"; devdb-agent status"
    interval = 60
    timeout  = 5
  }
}

# The workspace's database: none for "none" and for prebuilt workspaces (owned by
# "prebuilds" until claimed). Not tied to start_count: stopping keeps it.
resource "devdb_database" "db" {
  count = (data.coder_parameter.database_type.value == "none" || data.coder_workspace.me.is_prebuild) ? 0 : 1

  type           = data.coder_parameter.database_type.value
  owner          = data.coder_workspace_owner.me.name
  owner_id       = data.coder_workspace_owner.me.id
  team           = data.coder_parameter.database_type.value == "team" ? data.coder_parameter.team_database_name.value : ""
  workspace_id   = data.coder_workspace.me.id
  workspace_name = data.coder_workspace.me.name
  template       = data.coder_workspace.me.template_name
  on_last_detach = "keep"
  # No password in the state: devdb-agent makes one in the workspace and enrolls
  # it with the single-use token in DEVDB_ENROLL_TOKEN.
  credentials = "enrollment"
}

# What Coder's workspace page shows for the database (never the password).
resource "coder_metadata" "devdb" {
  count       = length(devdb_database.db)
  resource_id = devdb_database.db[0].id
  icon        = "/icon/database.svg"
  item {
    key   = "database"
    value = devdb_database.db[0].name
  }
  item {
    key   = "user"
    value = devdb_database.db[0].user
  }
  item {
    key   = "host"
    value = "${devdb_database.db[0].host}:${devdb_database.db[0].port}"
  }
  item {
    key   = "access"
    value = devdb_database.db[0].access
  }
}

locals {
  devdb_env = ["DEVDB_HOST", "DEVDB_PORT", "DEVDB_NAME", "DEVDB_USER", "DEVDB_URL"]
}

# One coder_env per variable (a sensitive map cannot drive for_each).
resource "coder_env" "devdb" {
  count    = length(devdb_database.db) == 0 ? 0 : length(local.devdb_env)
  agent_id = coder_agent.main.id
  name     = local.devdb_env[count.index]
  value    = devdb_database.db[0].env[local.devdb_env[count.index]]
}

# The single-use enrollment token, never a password. A new one comes with each
# start that finds the last one used or expired; an agent whose ~/.pgpass still
# works leaves it unused.
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

resource "coder_script" "devdb_start" {
  count              = length(devdb_database.db)
  agent_id           = coder_agent.main.id
  display_name       = "DevDB"
  icon               = "/icon/database.svg"
  run_on_start       = true
  start_blocks_login = false # a DevDB outage must not lock people out
  script             = <<-EOT
    #!/bin/sh
    set -eu
    export PATH="$HOME/.local/bin:$PATH"
    # devdb-agent from DevDB's control plane, checked against its sha256 (docs/deploy.md):
    # with node the bundle, without it the single executable; fetched again only when it differs.
    devdb_agent_sha256() {
      if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d " " -f 1
      elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d " " -f 1
      else echo "devdb-agent: this image has neither sha256sum nor shasum: cannot check the download" >&2; return 1
      fi
    }
    devdb_agent_install() {
      url=$1 want=$${2:-} dest="$HOME/.local/bin/devdb-agent"
      mkdir -p "$HOME/.local/bin"
      if [ -z "$want" ]; then
        if ! want=$(curl -fsSL "$url/sha256"); then
          if [ -x "$dest" ]; then echo "devdb-agent: cannot fetch $url/sha256: keeping the devdb-agent installed" >&2; return 0; fi
          echo "devdb-agent: cannot fetch $url/sha256: is DevDB's control plane reachable from the workspace (devdb up --api-listen)?" >&2
          return 1
        fi
        want=$${want%% *}
      fi
      case $want in
        *[!0-9a-f]* | "") echo "devdb-agent: $url/sha256 did not answer a sha256 (got: $want)" >&2; return 1 ;;
      esac
      if [ -x "$dest" ] && [ "$(devdb_agent_sha256 "$dest")" = "$want" ]; then return 0; fi
      if ! curl -fsSL "$url" -o "$dest.part"; then rm -f "$dest.part"; echo "devdb-agent: cannot download $url" >&2; return 1; fi
      got=$(devdb_agent_sha256 "$dest.part")
      if [ "$got" != "$want" ]; then
        rm -f "$dest.part"
        echo "devdb-agent: refused the download from $url: its sha256 is $got, expected $want; nothing installed" >&2
        return 1
      fi
      chmod +x "$dest.part" && mv "$dest.part" "$dest"
    }
    if command -v node >/dev/null 2>&1; then
      if [ -n "$${DEVDB_AGENT_URL:-}" ]; then devdb_agent_install "$DEVDB_AGENT_URL" "$${DEVDB_AGENT_SHA256:-}"; fi
    elif [ -n "$${DEVDB_AGENT_SEA_URL:-}" ]; then
      devdb_agent_install "$DEVDB_AGENT_SEA_URL" "$${DEVDB_AGENT_SEA_SHA256:-}"
    fi
    devdb-agent start
  EOT
}

resource "coder_script" "devdb_heartbeat" {
  count        = length(devdb_database.db)
  agent_id     = coder_agent.main.id
  display_name = "DevDB heartbeat"
  icon         = "/icon/database.svg"
  cron         = "0 */5 * * * *"
  script       = "#!/bin/sh\nexport PATH=\"$HOME/.local/bin:$PATH\"\ndevdb-agent heartbeat\n"
}

# As in Coder's Docker template: a home volume that outlives the container,
# which exists only while the workspace is started.
resource "docker_volume" "home_volume" {
  name = "coder-${data.coder_workspace.me.id}-home"
  lifecycle {
    ignore_changes = all
  }
}

resource "docker_image" "main" {
  name = var.image
}

resource "docker_container" "workspace" {
  count      = data.coder_workspace.me.start_count
  image      = docker_image.main.name
  name       = "coder-${data.coder_workspace_owner.me.name}-${lower(data.coder_workspace.me.name)}"
  hostname   = data.coder_workspace.me.name
  entrypoint = ["sh", "-c", replace(coder_agent.main.init_script, "/localhost|127\\.0\\.0\\.1/", "host.docker.internal")]
  env        = ["CODER_AGENT_TOKEN=${coder_agent.main.token}"]
  host {
    host = "host.docker.internal"
    ip   = "host-gateway"
  }
  volumes {
    container_path = "/home/coder"
    volume_name    = docker_volume.home_volume.name
    read_only      = false
  }
}
