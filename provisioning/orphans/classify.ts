/**
 * Orphan findings from the registry's facts and Coder's answers: a pure function
 * of both and the clock, so every classification is a unit test away. One
 * database or attachment may have several findings (an idle database whose
 * workspace was deleted has two).
 */
import { SETTING_KEYS } from '../admin/index.js';
import { ORPHAN_KINDS, type OrphanKind } from '../contract/index.js';
import type { CoderState, OwnerLookup, WorkspaceLookup } from './coder.js';
import type {
  OrphanCandidateAttachment,
  OrphanCandidateDatabase,
  OrphanFacts,
  OrphanLoginRole,
  UnregisteredDatabase,
} from './facts.js';

export interface OrphanFinding {
  kind: OrphanKind;
  /** Null only for a login role whose database is not known. */
  database: string | null;
  /** Coder username: the database's owner, or the attachment's workspace owner. */
  owner: string | null;
  workspaceId: string | null;
  /** The attachment's (or the orphan credential's) login role. */
  loginRole: string | null;
  /** The database's last access; null when never accessed (or not registered). */
  lastAccess: Date | null;
  /** A few words, for the table's Status column. */
  status: string;
  /** What was found and what it rests on, in a sentence. */
  detail: string;
}

export interface ClassifyOptions {
  now: Date;
  /** policy_idle_days: idle after this many days without access. */
  idleDays: number;
}

/** The kinds only Coder can tell: skipped when Coder is not configured. */
export const CODER_KINDS: readonly OrphanKind[] = [
  'workspace-deleted',
  'unknown-workspace',
  'workspace-deleting',
  'workspace-dormant',
  'workspace-stopped',
  'owner-gone',
  'owner-suspended',
];

const DAY_MS = 86_400_000;
const daysSince = (at: Date | string, now: Date) =>
  Math.floor((now.getTime() - new Date(at).getTime()) / DAY_MS);
const day = (at: Date | string) => new Date(at).toISOString().slice(0, 10);

type Finding = Omit<OrphanFinding, 'database' | 'lastAccess'>;

function attachmentFinding(
  a: OrphanCandidateAttachment,
  kind: OrphanKind,
  status: string,
  detail: string,
): Finding {
  return {
    kind,
    owner: a.owner,
    workspaceId: a.workspaceId,
    loginRole: a.loginRole,
    status,
    detail,
  };
}

function workspaceFindings(
  a: OrphanCandidateAttachment,
  lookup: WorkspaceLookup | undefined,
  options: ClassifyOptions,
): Finding[] {
  if (!lookup) return [];
  if (lookup.state === 'unknown') {
    return [
      attachmentFinding(
        a,
        'unknown-workspace',
        'unknown workspace',
        `${lookup.reason}: check the id before acting, it may not be this Coder's`,
      ),
    ];
  }
  const w = lookup.workspace;
  const name = `${w.owner_name}/${w.name}`;
  if (lookup.state === 'deleted') {
    return [
      attachmentFinding(
        a,
        'workspace-deleted',
        'workspace deleted',
        `Coder deleted workspace ${name} on ${day(w.latest_build.created_at)} (gone, found only ` +
          'with include_deleted) without releasing its database: its credential still works',
      ),
    ];
  }
  if (w.deleting_at || w.latest_build.transition === 'delete') {
    const when = w.deleting_at
      ? `Coder deletes it on ${day(w.deleting_at)}`
      : `a delete build is ${w.latest_build.status}`;
    return [
      attachmentFinding(
        a,
        'workspace-deleting',
        'workspace being deleted',
        `workspace ${name}: ${when}`,
      ),
    ];
  }
  if (w.dormant_at) {
    const days = daysSince(w.dormant_at, options.now);
    return [
      attachmentFinding(
        a,
        'workspace-dormant',
        `workspace dormant ${days} days`,
        `workspace ${name} is dormant since ${day(w.dormant_at)}`,
      ),
    ];
  }
  const unused = daysSince(w.last_used_at, options.now);
  if (w.latest_build.transition === 'stop' && unused >= options.idleDays) {
    return [
      attachmentFinding(
        a,
        'workspace-stopped',
        `workspace stopped ${unused} days`,
        `workspace ${name} is stopped, last used ${day(w.last_used_at)}`,
      ),
    ];
  }
  return [];
}

function ownerFinding(d: OrphanCandidateDatabase, lookup: OwnerLookup | undefined): Finding[] {
  const base = { owner: d.owner, workspaceId: null, loginRole: null };
  if (!lookup) return [];
  if (lookup.state === 'gone') {
    return [
      {
        ...base,
        kind: 'owner-gone',
        status: 'owner gone',
        detail: `Coder user ${d.ownerId}: ${lookup.reason}`,
      },
    ];
  }
  if (lookup.user.status !== 'suspended') return [];
  return [
    {
      ...base,
      kind: 'owner-suspended',
      status: 'owner suspended',
      detail: `${lookup.user.username} is suspended in Coder`,
    },
  ];
}

function idleFinding(d: OrphanCandidateDatabase, options: ClassifyOptions): Finding[] {
  const since = d.lastAccessed ?? d.createdAt;
  const days = daysSince(since, options.now);
  if (days < options.idleDays) return [];
  const threshold = `${SETTING_KEYS.policyIdleDays} = ${options.idleDays}`;
  const base = { kind: 'idle' as const, owner: d.owner, workspaceId: null, loginRole: null };
  return d.lastAccessed
    ? [
        {
          ...base,
          status: `idle ${days} days`,
          detail: `no access since ${day(since)} (${threshold})`,
        },
      ]
    : [
        {
          ...base,
          status: `never accessed, ${days} days old`,
          detail: `never accessed since it was created on ${day(since)} (${threshold})`,
        },
      ];
}

function databaseFindings(
  d: OrphanCandidateDatabase,
  coder: CoderState | null,
  options: ClassifyOptions,
): OrphanFinding[] {
  const found: Finding[] = [
    ...d.attachments.flatMap((a) =>
      workspaceFindings(a, coder?.workspaces.get(a.workspaceId), options),
    ),
    ...(d.type === 'individual' && d.ownerId ? ownerFinding(d, coder?.owners.get(d.ownerId)) : []),
    ...(d.attachments.length === 0
      ? [
          {
            kind: 'no-attachments' as const,
            owner: d.owner,
            workspaceId: null,
            loginRole: null,
            status: 'no attachments',
            detail: d.lastDetachedAt
              ? `no workspace attached since ${day(d.lastDetachedAt)}`
              : 'no workspace ever attached',
          },
        ]
      : []),
    ...idleFinding(d, options),
  ];
  return found.map((f) => ({ ...f, database: d.name, lastAccess: d.lastAccessed }));
}

function unregisteredFinding(u: UnregisteredDatabase): OrphanFinding {
  return {
    kind: 'unregistered',
    database: u.name,
    owner: u.owner,
    workspaceId: null,
    loginRole: null,
    lastAccess: null,
    status: 'unregistered',
    detail: `${u.problem}; ${u.adoptable ? '`devdb doctor --fix` adopts it' : 'not DevDB-shaped: see `devdb doctor`'}`,
  };
}

function loginRoleFinding(r: OrphanLoginRole): OrphanFinding {
  return {
    kind: 'credential-without-workspace',
    database: r.database,
    owner: r.owner,
    workspaceId: r.workspaceId,
    loginRole: r.role,
    lastAccess: null,
    status: 'credential without workspace',
    detail: `login role ${r.role} ${r.problem}; ${r.removable ? '`devdb doctor --fix` drops it' : 'see `devdb doctor`'}`,
  };
}

const kindOrder = (kind: OrphanKind) => ORPHAN_KINDS.indexOf(kind);

function compareFindings(a: OrphanFinding, b: OrphanFinding): number {
  if (a.database !== b.database) {
    if (a.database === null) return 1;
    if (b.database === null) return -1;
    return a.database < b.database ? -1 : 1;
  }
  return (
    kindOrder(a.kind) - kindOrder(b.kind) ||
    (a.workspaceId ?? '').localeCompare(b.workspaceId ?? '')
  );
}

/** Every finding, by database then kind; `coder` null: only the registry's and the server's. */
export function classifyOrphans(
  facts: OrphanFacts,
  coder: CoderState | null,
  options: ClassifyOptions,
): OrphanFinding[] {
  return [
    ...facts.databases.flatMap((d) => databaseFindings(d, coder, options)),
    ...facts.unregisteredDatabases.map(unregisteredFinding),
    ...facts.orphanLoginRoles.map(loginRoleFinding),
  ].sort(compareFindings);
}
