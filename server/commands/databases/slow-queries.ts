/** `devdb slow-queries NAME`: a database's statements by mean time, from pg_stat_statements. */
import { InvalidArgumentError } from 'commander';
import { slowQueries } from '../../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  withServerOf,
  type ConnectionOptions,
} from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { table } from '../../render.js';

function limit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  }
  return Number(value);
}

const oneLine = (sql: string) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
};

export const slowQueriesCommand: CommandSpec<
  Omit<ConnectionOptions, 'env'> & { name: string; limit?: number; json?: boolean }
> = {
  name: 'slow-queries',
  description: "a database's statements with the highest mean time (pg_stat_statements)",
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--limit <n>', description: 'how many statements (default 10)', parse: limit },
    JSON_OPTION,
  ],
  async run(options, io) {
    const statements = await withServerOf({ ...options, env: io.env }, options.name, (pool) =>
      slowQueries(pool, options.name, { limit: options.limit ?? 10 }),
    );
    return {
      json: statements,
      blocks: [
        table(
          statements,
          [
            { header: 'mean ms', value: (s) => Number(s.meanMs.toFixed(2)) },
            { header: 'calls', value: (s) => s.calls },
            { header: 'total ms', value: (s) => Number(s.totalMs.toFixed(1)) },
            { header: 'rows', value: (s) => s.rows },
            { header: 'role', value: (s) => s.role },
            { header: 'query', value: (s) => oneLine(s.query) },
          ],
          { whenNone: `no statements recorded for ${options.name} yet` },
        ),
      ],
    };
  },
};
