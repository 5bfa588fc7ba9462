# Pre-create a team database from a seed, so the first workspace finds it ready.
resource "devdb_team" "frontend" {
  name       = "frontend-project"
  seed_from  = "team_seed_frontend"
  on_destroy = "keep"
}
