/**
 * `devdb snapshots [NAME]`: the snapshots workspaces took (docs/snapshots.md)
 * on every server of the pool, or of one database; `snapshots restore DB
 * SNAPSHOT` and `snapshots delete DB SNAPSHOT` for an admin; `snapshots allow
 * TEAM_DB` / `disallow` the team setting that lets a team's workspaces use them.
 */
import {
  deleteSnapshot,
  listSnapshots,
  restoreSnapshot,
  setTeamSnapshots,
  type Snapshot,
} from '../../../provisioning/index.js';
import { withEachServer, withServerOf } from '../../admin-connection.js';
import type { CommandSpec } from '../../command.js';
import { confirmOrRefuse } from '../../confirm.js';
import { rowsOf } from '../../pool-reads.js';
import { fields, table } from '../../render.js';
import { ADMIN_OPTIONS, type Connection } from './shared.js';

const DB_ARGUMENT = { name: 'database', description: 'database name, e.g. dev_alice' };
const SNAPSHOT_ARGUMENT = { name: 'snapshot', description: 'snapshot name' };

type One = Connection & { database: string; snapshot: string; yes?: boolean; json?: boolean };

function snapshotsTable(snapshots: (Snapshot & { server?: string })[]) {
  return table(
    snapshots,
    [
      ...(snapshots.some((s) => s.server !== undefined)
        ? [{ header: 'server', value: (s: { server?: string }) => s.server }]
        : []),
      { header: 'database', value: (s) => s.database },
      { header: 'snapshot', value: (s) => s.name },
      { header: 'taken', value: (s) => s.createdAt },
      { header: 'size', value: (s) => s.sizeBytes, format: 'bytes' },
      { header: 'by', value: (s) => s.createdBy },
    ],
    { whenNone: 'no snapshots' },
  );
}

const restoreCommand: CommandSpec<One> = {
  name: 'restore',
  description:
    'put a database back to one of its snapshots (same name, owner, grants, attachments); ends its sessions',
  arguments: [DB_ARGUMENT, SNAPSHOT_ARGUMENT],
  options: [...ADMIN_OPTIONS, { flags: '--yes', description: 'confirm without asking' }],
  async run(options, io) {
    const { database, snapshot } = options;
    await confirmOrRefuse(io, {
      yes: options.yes,
      what: `devdb snapshots restore ${database} ${snapshot}`,
      question: `Replace ${database} with snapshot ${snapshot}? Its sessions are ended and what changed since is lost.`,
    });
    const done = await withServerOf({ ...options, env: io.env }, database, (pool) =>
      restoreSnapshot(pool, { database, name: snapshot, actor: 'cli' }),
    );
    return {
      json: done,
      blocks: [
        fields([
          { label: database, value: `restored to ${done.restored_from}` },
          { label: 'sessions ended', value: done.sessions_ended.length },
        ]),
      ],
    };
  },
};

const deleteCommand: CommandSpec<One> = {
  name: 'delete',
  description: 'delete one snapshot of a database',
  arguments: [DB_ARGUMENT, SNAPSHOT_ARGUMENT],
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { database, snapshot } = options;
    await withServerOf({ ...options, env: io.env }, database, (pool) =>
      deleteSnapshot(pool, { database, name: snapshot, actor: 'cli' }),
    );
    return {
      json: { database, snapshot, deleted: true },
      blocks: [fields([{ label: `${database} ${snapshot}`, value: 'deleted' }])],
    };
  },
};

const teamSetting = (allowed: boolean): CommandSpec<Connection & { database: string }> => ({
  name: allowed ? 'allow' : 'disallow',
  description: allowed
    ? "let a team database's workspaces snapshot, restore and reset it (off by default)"
    : "stop a team database's workspaces taking, restoring or resetting (the default)",
  arguments: [{ name: 'database', description: 'team database name, e.g. team_web' }],
  options: ADMIN_OPTIONS,
  async run(options, io) {
    const { database } = options;
    await withServerOf({ ...options, env: io.env }, database, (pool) =>
      setTeamSnapshots(pool, { database, allowed, actor: 'cli' }),
    );
    return {
      json: { database, snapshotsAllowed: allowed },
      blocks: [
        fields([
          { label: database, value: allowed ? 'snapshots allowed' : 'snapshots not allowed' },
        ]),
      ],
    };
  },
});

export const snapshotsCommand: CommandSpec<Connection & { name?: string; json?: boolean }> = {
  name: 'snapshots',
  description: 'list snapshots on every server (of one database when named)',
  arguments: [{ name: 'name', description: 'database name', optional: true }],
  options: ADMIN_OPTIONS,
  subcommands: [
    restoreCommand,
    deleteCommand,
    teamSetting(true),
    teamSetting(false),
  ] as CommandSpec[],
  async run(options, io) {
    const env = { ...options, env: io.env };
    if (options.name !== undefined) {
      const name = options.name;
      const snapshots = await withServerOf(env, name, (pool) => listSnapshots(pool, name));
      return { json: snapshots, blocks: [snapshotsTable(snapshots)] };
    }
    const { results, unreachable } = await withEachServer(env, (pool) => listSnapshots(pool));
    const several = results.length + unreachable.length > 1;
    const snapshots = several ? rowsOf(results) : results[0]!.result;
    return { json: snapshots, blocks: [snapshotsTable(snapshots)], unreachable };
  },
};
