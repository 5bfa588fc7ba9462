/**
 * What Coder says about the workspaces and owners the registry points at, asked
 * efficiently: one paged listing of workspaces (and of users), then a per-id
 * confirmation, a few at a time, only for the ids the listing lacked (listings
 * never hold deleted workspaces or users). Changes nothing anywhere.
 */
import type {
  CoderState,
  OrphanFacts,
  OwnerLookup,
  WorkspaceLookup,
} from '../../provisioning/index.js';
import { CoderError, type CoderClient } from './client.js';

export interface CoderProgress {
  step: 'listing workspaces' | 'confirming workspaces' | 'listing users' | 'confirming owners';
  done: number;
  /** Null while the total is not known. */
  total: number | null;
}

export interface AskCoderOptions {
  /** Per-id requests at once (default 8). */
  concurrency?: number;
  /** Listing page size (default 100). */
  pageSize?: number;
  onProgress?: (progress: CoderProgress) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Site roles that read every workspace and user (coderd/rbac/roles.go). */
const READS_EVERYTHING = ['owner', 'template-admin'];

/**
 * Coder answers 404 for a workspace the token may not read, exactly as for a
 * deleted one: a member's token would make every other user's workspace look
 * gone. Refused before anything is classified.
 */
export async function assertTokenReadsEverything(client: CoderClient): Promise<void> {
  const me = await client.me();
  const siteRoles = me.roles.filter((role) => !role.organization_id).map((role) => role.name);
  if (siteRoles.some((role) => READS_EVERYTHING.includes(role))) return;
  throw new CoderError(
    `the Coder token belongs to ${me.username} (site roles: ${siteRoles.join(', ') || 'member'}), ` +
      "who may not read every workspace: Coder would answer 404 for other users' workspaces as if " +
      'they were deleted. Use a token of an Owner or a Template Admin',
  );
}

/** Runs `work` on every item, `limit` at a time; the first failure stops taking new items. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      await work(item).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function confirmWorkspace(client: CoderClient, id: string): Promise<WorkspaceLookup> {
  const live = await client.workspace(id);
  if (live) return { state: 'live', workspace: live };
  const deleted = await client.workspace(id, { includeDeleted: true });
  if (deleted) return { state: 'deleted', workspace: deleted };
  return {
    state: 'unknown',
    reason: 'Coder has no workspace with this id (404, also with include_deleted)',
  };
}

async function confirmOwner(client: CoderClient, id: string): Promise<OwnerLookup> {
  const byId = await client.user(id);
  if (!byId) return { state: 'gone', reason: 'Coder has no user with this id' };
  // Coder keeps a deleted user as a tombstone found by id; by name it finds live users only.
  const byName = await client.user(byId.username);
  if (byName?.id === byId.id) return { state: 'present', user: byName };
  return { state: 'gone', reason: `deleted in Coder (was ${byId.username})` };
}

/** Looks `ids` up: the listing first, then `confirm` for those it lacks. */
async function lookUp<R>(
  ids: readonly string[],
  notAnId: R,
  list: () => Promise<Map<string, R>>,
  confirm: (id: string) => Promise<R>,
  options: AskCoderOptions & { step: CoderProgress['step'] },
): Promise<Map<string, R>> {
  const found = new Map<string, R>(ids.filter((id) => !UUID.test(id)).map((id) => [id, notAnId]));
  const asked = ids.filter((id) => UUID.test(id));
  if (asked.length === 0) return found;
  const listed = await list();
  const missing = asked.filter((id) => {
    const hit = listed.get(id.toLowerCase());
    if (hit !== undefined) found.set(id, hit);
    return hit === undefined;
  });
  let done = 0;
  await forEachConcurrently(missing, options.concurrency ?? 8, async (id) => {
    found.set(id, await confirm(id));
    options.onProgress?.({ step: options.step, done: ++done, total: missing.length });
  });
  return found;
}

const unique = (values: (string | null)[]) => [...new Set(values.filter((v) => v !== null))];

/** What Coder says about every live attachment's workspace and every individual database's owner. */
export async function askCoder(
  client: CoderClient,
  facts: OrphanFacts,
  options: AskCoderOptions = {},
): Promise<CoderState> {
  await assertTokenReadsEverything(client);
  const progress = options.onProgress ?? (() => undefined);
  const workspaces = await lookUp<WorkspaceLookup>(
    unique(facts.databases.flatMap((d) => d.attachments.map((a) => a.workspaceId))),
    { state: 'unknown', reason: "not a Coder workspace id (Coder's ids are UUIDs)" },
    async () => {
      const all = await client.allWorkspaces({
        pageSize: options.pageSize,
        onPage: (done, total) => progress({ step: 'listing workspaces', done, total }),
      });
      return new Map(all.map((w) => [w.id.toLowerCase(), { state: 'live', workspace: w }]));
    },
    (id) => confirmWorkspace(client, id),
    { ...options, step: 'confirming workspaces' },
  );
  const owners = await lookUp<OwnerLookup>(
    unique(facts.databases.filter((d) => d.type === 'individual').map((d) => d.ownerId)),
    { state: 'gone', reason: "not a Coder user id (Coder's ids are UUIDs)" },
    async () => {
      const all = await client.allUsers({
        pageSize: options.pageSize,
        onPage: (done) => progress({ step: 'listing users', done, total: null }),
      });
      return new Map(all.map((u) => [u.id.toLowerCase(), { state: 'present', user: u }]));
    },
    (id) => confirmOwner(client, id),
    { ...options, step: 'confirming owners' },
  );
  return { workspaces, owners };
}
