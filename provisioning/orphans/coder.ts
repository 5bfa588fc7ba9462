/**
 * What Coder says, as the orphan check reads it: the fields DevDB takes of Coder's
 * REST API (docs/operations.md, "Orphans"; server/coder/client.ts fetches them) and
 * the answers about each workspace and owner the registry points at. Shapes only:
 * asking Coder is the server's (server/coder/state.ts), judging is classify.ts.
 */
export type BuildTransition = 'start' | 'stop' | 'delete';

/** The fields DevDB reads of `codersdk.WorkspaceBuild` (Coder sends more). */
export interface CoderBuild {
  transition: BuildTransition;
  /** `pending|starting|running|stopping|stopped|failed|canceling|canceled|deleting|deleted`. */
  status: string;
  created_at: string;
}

/** The fields DevDB reads of `codersdk.Workspace`. */
export interface CoderWorkspace {
  id: string;
  name: string;
  owner_id: string;
  owner_name: string;
  template_id: string;
  template_name: string;
  last_used_at: string;
  dormant_at: string | null;
  deleting_at: string | null;
  latest_build: CoderBuild;
}

export type CoderUserStatus = 'active' | 'dormant' | 'suspended';

/** The fields DevDB reads of `codersdk.User`. */
export interface CoderUser {
  id: string;
  username: string;
  email: string;
  status: CoderUserStatus;
  /** Site-wide roles have an empty organization_id. */
  roles: { name: string; organization_id?: string }[];
  created_at: string;
}

export type WorkspaceLookup =
  | { state: 'live'; workspace: CoderWorkspace }
  /** 404/410 without include_deleted, 200 with it. */
  | { state: 'deleted'; workspace: CoderWorkspace }
  /** 404 both ways, or not a Coder id at all. */
  | { state: 'unknown'; reason: string };

export type OwnerLookup = { state: 'present'; user: CoderUser } | { state: 'gone'; reason: string };

export interface CoderState {
  /** By workspace id, for every live attachment. */
  workspaces: ReadonlyMap<string, WorkspaceLookup>;
  /** By Coder user id, for every individual database's owner_id. */
  owners: ReadonlyMap<string, OwnerLookup>;
}
