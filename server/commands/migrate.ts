/** `devdb migrate [--status]`. */
import pg from 'pg';
import { migrate, migrationStatus } from '../../provisioning/index.js';
import { openAdminPool, resolveAdminUrl, type ConnectionOptions } from '../admin-connection.js';
import { formatDate, printJson, printTable } from '../output.js';

export async function runMigrate(
  options: ConnectionOptions & { status?: boolean; json?: boolean },
) {
  // Checks reachability with a clear message before taking a dedicated session.
  await (await openAdminPool(options, 1)).end();
  const client = new pg.Client({ connectionString: await resolveAdminUrl(options) });
  await client.connect();
  try {
    if (!options.status) {
      const applied: string[] = [];
      await migrate(client, {
        onApplied: (m) => {
          applied.push(m.file);
          if (!options.json) process.stderr.write(`applied ${m.kind} ${m.file}\n`);
        },
      });
      if (options.json) return printJson({ applied });
      process.stdout.write(
        applied.length ? `${applied.length} file(s) applied\n` : 'schema is up to date\n',
      );
      return;
    }
    const { numbered, repeatable } = await migrationStatus(client);
    const status = [
      ...numbered.map((s) => ({ kind: 'numbered', ...s })),
      ...repeatable.map((s) => ({ kind: 'repeatable', ...s })),
    ];
    if (options.json) return printJson(status);
    printTable(
      ['migration', 'kind', 'state', 'applied at'],
      status.map((s) => [s.file, s.kind, s.state, s.appliedAt ? formatDate(s.appliedAt) : '-']),
    );
  } finally {
    await client.end();
  }
}
