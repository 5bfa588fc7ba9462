/** `devdb events`: the audit trail, newest first, a page at a time. */
import { listEvents, type EventRecord } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { table } from '../../render.js';
import { positiveCount, sinceValue } from '../../values.js';
import { fromServer, type Connection } from './shared.js';

function eventDetail(event: EventRecord): string {
  const text = JSON.stringify(event.detail);
  return text === '{}' ? '' : text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

export const eventsCommand: CommandSpec<
  Connection & { since?: Date; db?: string; limit?: number; beforeId?: number }
> = {
  name: 'events',
  description: 'the audit trail, newest first',
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--since <when>',
      description: 'a duration back from now (30m, 12h, 7d, 2w) or a date (2025-01-31)',
      parse: (value) => sinceValue(value),
    },
    { flags: '--db <name>', description: "only this database's events" },
    { flags: '--limit <n>', description: 'at most this many (default 100)', parse: positiveCount },
    {
      flags: '--before-id <id>',
      description: 'older than this event id (the next page)',
      parse: positiveCount,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    const events = await fromServer(options, io, (pool) =>
      listEvents(pool, {
        since: options.since,
        database: options.db,
        limit: options.limit,
        beforeId: options.beforeId,
      }),
    );
    const rows = table(
      events,
      [
        { header: 'id', value: (e) => e.id },
        { header: 'at', value: (e) => e.at },
        { header: 'actor', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'database', value: (e) => e.database },
        { header: 'workspace', value: (e) => e.workspaceId },
        { header: 'detail', value: eventDetail },
      ],
      { whenNone: 'no events' },
    );
    return { json: events, blocks: [rows] };
  },
};
