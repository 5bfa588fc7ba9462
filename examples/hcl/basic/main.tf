# DevDB in plain HCL: give a workspace its PostgreSQL database.
#
# In a Coder template the variables below are Coder data sources
# (data.coder_workspace_owner.me.name, data.coder_workspace.me.id, …);
# here they are variables so this runs with plain `terraform apply`:
#
#   export TF_CLI_CONFIG_FILE=$PWD/../../../.devdb/terraform/terraform.rc   # printed by `npm start`
#   export DEVDB_ADMIN_URL=$(npx devdb admin-url)
#   terraform init && terraform apply -var owner=alice -var workspace_id=ws-1

terraform {
  required_providers {
    devdb = {
      source = "devdb/devdb"
    }
  }
}

# admin_url comes from DEVDB_ADMIN_URL; host/port default to the admin URL's.
provider "devdb" {}

variable "database_type" {
  description = "individual, team or none (the template's database_type parameter)"
  type        = string
  default     = "individual"
}

variable "team" {
  description = "Team name when database_type is team (the template's team_database_name parameter)"
  type        = string
  default     = ""
}

variable "owner" {
  description = "The workspace owner's Coder username"
  type        = string
}

variable "workspace_id" {
  description = "The Coder workspace id"
  type        = string
}

variable "workspace_name" {
  type    = string
  default = "dev"
}

# credentials = "password": DevDB generates the password into the state, for trying
# DevDB from a shell with psql. Coder templates use "enrollment" instead (see
# ../coder-template): no password in the state, devdb-agent in the workspace makes it.
resource "devdb_database" "db" {
  count          = var.database_type == "none" ? 0 : 1
  type           = var.database_type
  owner          = var.owner
  team           = var.team
  workspace_id   = var.workspace_id
  workspace_name = var.workspace_name
  credentials    = "password"
}

# What the workspace gets: DEVDB_* for coder_env (sensitive: with enrollment it
# holds the token), and the password (sensitive).
output "env" {
  value     = one(devdb_database.db[*].env)
  sensitive = true
}

output "password" {
  value     = one(devdb_database.db[*].password)
  sensitive = true
}
