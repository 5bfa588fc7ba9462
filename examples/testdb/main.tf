# TestDB for contractors: the team database `team_testdb` (seeded by its lead
# with seed.sql, see README.md) and one contractor workspace attached to it
# read-only. In a Coder template the variables are Coder data sources
# (data.coder_workspace_owner.me.name, data.coder_workspace.me.id).

terraform {
  required_providers {
    devdb = {
      source = "devdb/devdb"
    }
  }
}

# admin_url comes from DEVDB_ADMIN_URL.
provider "devdb" {}

variable "owner" {
  description = "The contractor's Coder username"
  type        = string
}

variable "workspace_id" {
  description = "The contractor's Coder workspace id"
  type        = string
}

# The team database; destroying this resource keeps it.
resource "devdb_team" "testdb" {
  name = "testdb"
}

# The contractor's credential: SELECT on everything in team_testdb, nothing else.
resource "devdb_database" "contractor" {
  type         = "team"
  team         = devdb_team.testdb.name
  owner        = var.owner
  workspace_id = var.workspace_id
  access       = "read"
}

output "url" {
  value = devdb_database.contractor.url
}

output "password" {
  value     = devdb_database.contractor.password
  sensitive = true
}
