/**
 * The access posture both database resources report (docs/security.md T2, T14):
 * computed attributes planned empty, so a change made out of band shows in the
 * plan, naming what differs, and apply repairs it.
 */
import { attribute, t } from '../../plugin/index.js';

export const accessDriftAttribute = () =>
  attribute.list(t.string, {
    computed: true,
    description:
      "How the database differs from DevDB's access posture: grants DevDB did not make (e.g. `CONNECT granted to dev_bob`), DevDB's own grants gone missing, and settings that lock the team out or expose the database (`allow_connections = false`, `is_template = true`, `connection_limit = 0`). Always planned empty, so a change made out of band shows in the plan and apply repairs it.",
  });

/** What a repaired database shows, and so what every plan expects. */
export const CLEAN_POSTURE = { public_privileges: [] as string[], access_drift: [] as string[] };
