data "devdb_database" "frontend" {
  name = "team_frontend_project"
}

output "frontend_address" {
  value = data.devdb_database.frontend.url # postgresql://host:port/team_frontend_project
}
