/**
 * `devdb-agent snapshot [NAME]`, `snapshots [delete NAME]`, `restore NAME`, `reset`: the
 * workspace's own database, through its own login (docs/snapshots.md). Each
 * calls provisioning.workspace_snapshots() in the central database, which finds
 * the database from the login role's attachment — there is no database to
 * name, so no other database can be named. Before a copy, the command says
 * which of this workspace's sessions it will end (the copy needs the database
 * free; anyone else's session stops it instead).
 */
import type pg from 'pg';
import type { Flags } from '../args.js';
import type { Config } from '../config.js';
import { AgentError, EXIT } from '../errors.js';
import { log, print } from '../log.js';
import { Unavailable, withCentral } from '../connection/server.js';
import { loadSettings, passwordFor } from '../files/settings.js';
import { seconds } from '../seconds.js';

interface Session {
  pid: number;
  user: string;
  application: string;
}

interface Listed {
  database: string;
  snapshots: { name: string; created_at: string; size_bytes: number; created_by: string }[];
  restores: { at: string; by: string; action: string; from: string }[];
}

type Action = 'list' | 'sessions' | 'snapshot' | 'restore' | 'reset' | 'delete';

async function call<T>(client: pg.Client, action: Action, name?: string): Promise<T> {
  try {
    const { rows } = await client.query<{ r: T }>(
      'SELECT provisioning.workspace_snapshots($1, $2) AS r',
      [action, name ?? null],
    );
    return rows[0]!.r;
  } catch (error) {
    const err = error as Error & { code?: string; hint?: string };
    throw new AgentError(
      `DevDB refused ${action === 'list' ? 'to list snapshots' : `the ${action}`}: ${err.message}`,
      err.hint ??
        (err.code === '42883'
          ? 'this DevDB server is older than snapshots: ask an admin to run `devdb migrate`'
          : err.code === '42501'
            ? 'this workspace may not do this to its database (see the message); an admin can help'
            : 'run `devdb-agent doctor`'),
      err.code === '42501' ? EXIT.rejected : EXIT.failed,
    );
  }
}

async function withOwnLogin<T>(flags: Flags, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const config: Config = await loadSettings();
  const password = await passwordFor(config);
  // A copy of a large database takes a while: the default waits 10 minutes.
  const timeoutMs = seconds(flags, 'timeout', 'DEVDB_AGENT_SNAPSHOT_TIMEOUT', 600) * 1000;
  try {
    return await withCentral(config, password, timeoutMs, fn);
  } catch (error) {
    if (!(error instanceof Unavailable)) throw error;
    throw new AgentError(
      `DevDB not available at ${config.host}:${config.port} (${error.reason})`,
      'try again once the server is back; `devdb-agent doctor` says what is wrong',
      EXIT.unavailable,
    );
  }
}

const bytes = (n: number) =>
  n >= 2 ** 30
    ? `${(n / 2 ** 30).toFixed(1)} GiB`
    : n >= 2 ** 20
      ? `${(n / 2 ** 20).toFixed(1)} MiB`
      : `${Math.round(n / 1024)} KiB`;

const describeSession = (s: Session) => `pid ${s.pid} (${s.application || 'no application name'})`;

/** Says what the copy will end (this workspace's sessions) or what stops it (anyone else's). */
async function announce(client: pg.Client, flags: Flags): Promise<void> {
  const plan = await call<{ database: string; will_end: Session[]; blocking: Session[] }>(
    client,
    'sessions',
  );
  if (flags.json) return;
  if (plan.will_end.length > 0) {
    log(
      `ending this workspace's ${plan.will_end.length} session(s) in ${plan.database}: ${plan.will_end.map(describeSession).join(', ')}`,
    );
  }
  if (plan.blocking.length > 0) {
    log(
      `${plan.database} is also used by ${plan.blocking.map((s) => `${s.user} ${describeSession(s)}`).join(', ')}: those are not ended, so the copy will be refused`,
    );
  }
}

export async function snapshot(flags: Flags, args: string[]): Promise<number> {
  return withOwnLogin(flags, async (client) => {
    await announce(client, flags);
    const taken = await call<{
      database: string;
      snapshot: string;
      size_bytes: number;
      method: string;
      pruned: string[];
    }>(client, 'snapshot', args[0]);
    if (flags.json) print(JSON.stringify(taken, null, 2));
    else {
      print(`snapshot ${taken.snapshot} of ${taken.database} taken (${bytes(taken.size_bytes)})`);
      if (taken.pruned.length > 0) print(`oldest snapshots pruned: ${taken.pruned.join(', ')}`);
    }
    return EXIT.ok;
  });
}

/** `snapshots delete NAME`: the workspace frees its own snapshot (a limit may be set to refuse). */
async function deleteOwn(flags: Flags, name: string | undefined): Promise<number> {
  if (!name) {
    throw new AgentError(
      'snapshots delete needs the name of a snapshot',
      '`devdb-agent snapshots` lists them; then `devdb-agent snapshots delete NAME`',
      EXIT.usage,
    );
  }
  return withOwnLogin(flags, async (client) => {
    const done = await call<{ database: string; snapshot: string }>(client, 'delete', name);
    if (flags.json) print(JSON.stringify(done, null, 2));
    else print(`snapshot ${done.snapshot} of ${done.database} deleted`);
    return EXIT.ok;
  });
}

export async function snapshots(flags: Flags, args: string[]): Promise<number> {
  if (args[0] === 'delete') return deleteOwn(flags, args[1]);
  if (args[0] !== undefined) {
    throw new AgentError(
      `snapshots takes no argument but \`delete NAME\` (got ${JSON.stringify(args[0])})`,
      '`devdb-agent snapshots` lists them; `devdb-agent snapshots delete NAME` deletes one',
      EXIT.usage,
    );
  }
  return withOwnLogin(flags, async (client) => {
    const listed = await call<Listed>(client, 'list');
    if (flags.json) {
      print(JSON.stringify(listed, null, 2));
      return EXIT.ok;
    }
    if (listed.snapshots.length === 0) print(`${listed.database} has no snapshots`);
    else {
      const rows = listed.snapshots.map((s) => [
        s.name,
        new Date(s.created_at).toISOString(),
        bytes(s.size_bytes),
      ]);
      const width = (i: number) =>
        Math.max(...rows.map((r) => r[i]!.length), ['NAME', 'TAKEN', 'SIZE'][i]!.length);
      const line = (r: string[]) =>
        r
          .map((c, i) => c.padEnd(width(i)))
          .join('  ')
          .trimEnd();
      print([line(['NAME', 'TAKEN', 'SIZE']), ...rows.map(line)].join('\n'));
    }
    for (const r of listed.restores.slice(0, 3)) {
      print(
        `${r.action === 'database.reset' ? 'reset' : 'restored'} to ${r.from} by ${r.by} at ${new Date(r.at).toISOString()}`,
      );
    }
    return EXIT.ok;
  });
}

async function putBack(flags: Flags, action: 'restore' | 'reset', name?: string): Promise<number> {
  return withOwnLogin(flags, async (client) => {
    await announce(client, flags);
    const done = await call<{ database: string; restored_from: string }>(client, action, name);
    if (flags.json) print(JSON.stringify(done, null, 2));
    else
      print(
        `${done.database} ${action === 'reset' ? 'reset' : 'restored'} to ${done.restored_from}; $DEVDB_URL is unchanged`,
      );
    return EXIT.ok;
  });
}

export async function restore(flags: Flags, args: string[]): Promise<number> {
  if (!args[0]) {
    throw new AgentError(
      'restore needs the name of a snapshot',
      '`devdb-agent snapshots` lists them; then `devdb-agent restore NAME`',
      EXIT.usage,
    );
  }
  return putBack(flags, 'restore', args[0]);
}

export async function reset(flags: Flags): Promise<number> {
  return putBack(flags, 'reset');
}
