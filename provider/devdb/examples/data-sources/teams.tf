# The active team databases, e.g. as the options of a Coder parameter.
data "devdb_teams" "all" {}

output "teams" {
  value = { for t in data.devdb_teams.all.teams : t.name => length(t.members) }
}
