terraform {
  required_providers {
    devdb = {
      source = "devdb/devdb"
    }
  }
}

# admin_url defaults to the DEVDB_ADMIN_URL environment variable (`devdb admin-url`
# prints it). On a Coder provisioner set it in the provisioner's environment: Coder
# removes CODER_* variables before running Terraform, so the provider never reads those.
provider "devdb" {
  host = "devdb.internal" # what workspaces use to reach the server; default: admin_url's host
  port = 5432

  # Creating a devdb_database while DevDB is down fails the build ("fail", the default);
  # "skip" starts the workspace without a database and creates it at its next build.
  # Existing attachments ride out an outage either way (a warning, no change).
  on_unavailable = "skip"
}
