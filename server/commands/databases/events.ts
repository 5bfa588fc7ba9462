/**
 * `devdb events`: the audit trail of every server of the pool (each keeps its
 * own: docs/servers.md), newest first, a page at a time; `--server` one
 * server's, whose ids `--before-id` pages by.
 */
import type pg from 'pg';
import { listEvents, type EventRecord } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withRouter } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { newestFirst, rowsOf, serverColumn } from '../../pool-reads.js';
import { table } from '../../render.js';
import { positiveCount, sinceValue } from '../../values.js';
import { fromEachServer, type Connection } from './shared.js';

function eventDetail(event: EventRecord): string {
  const text = JSON.stringify(event.detail);
  return text === '{}' ? '' : text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

type EventsOptions = Connection & {
  since?: Date;
  db?: string;
  server?: string;
  limit?: number;
  beforeId?: number;
};

/** The events of every server (or of `--server`), per server. */
async function eventsOf(options: EventsOptions, io: CliIO) {
  const read = (pool: pg.Pool) =>
    listEvents(pool, {
      since: options.since,
      database: options.db,
      limit: options.limit,
      beforeId: options.beforeId,
    });
  const { server } = options;
  if (server !== undefined) {
    return withRouter({ ...options, env: io.env }, async (router) => ({
      results: [{ server, result: await read((await router.forServer(server)).db) }],
      unreachable: [],
    }));
  }
  return fromEachServer(options, io, read);
}

export const eventsCommand: CommandSpec<EventsOptions> = {
  name: 'events',
  description: 'the audit trail of every server of the pool, newest first',
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--since <when>',
      description: 'a duration back from now (30m, 12h, 7d, 2w) or a date (2025-01-31)',
      parse: (value) => sinceValue(value),
    },
    { flags: '--db <name>', description: "only this database's events" },
    { flags: '--server <name>', description: "only this server's events (devdb servers list)" },
    { flags: '--limit <n>', description: 'at most this many (default 100)', parse: positiveCount },
    {
      flags: '--before-id <id>',
      description:
        "older than this event id (the next page; ids are each server's: with several, add --server)",
      parse: positiveCount,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { results: perServer, unreachable } = await eventsOf(options, io);
    const several = perServer.length + unreachable.length > 1;
    if (several && options.beforeId !== undefined) {
      throw new UserError(
        "event ids are each server's own: with --before-id, name the server with --server (devdb servers list)",
      );
    }
    const events = newestFirst(perServer.map((one) => rowsOf([one])));
    events.splice(options.limit ?? 100);
    const rows = table(
      events,
      [
        { header: 'id', value: (e) => e.id },
        ...serverColumn<(typeof events)[number]>(several),
        { header: 'at', value: (e) => e.at },
        { header: 'actor', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'database', value: (e) => e.database },
        { header: 'workspace', value: (e) => e.workspaceId },
        { header: 'detail', value: eventDetail },
      ],
      { whenNone: 'no events' },
    );
    return { json: events, blocks: [rows], unreachable };
  },
};
