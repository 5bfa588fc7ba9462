// Seeds (issue 15): a team database seeded from a large team seed (~1 GiB by
// default, BENCH_SEED_MB), copied by the strategy DevDB picks (FILE_COPY from
// seed_file_copy_min_bytes up; on PostgreSQL 18 with file_copy_method = clone)
// and by PostgreSQL's default WAL_LOG, timed in the same run on the same server.
// BENCH_PG_BIN_DIR points `devdb up` at other server binaries (e.g.
// node_modules/pg18/native/bin for PostgreSQL 18). Run after `npm run build`.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { urlFor } from '../dist/provisioning/schema/index.js';
import { ensureTeamDatabase } from '../dist/provisioning/databases/index.js';
import { withDevdbUp } from './lib.js';

const SEED_MB = Number(process.env.BENCH_SEED_MB ?? 1024);
if (process.env.BENCH_PG_BIN_DIR) process.env.DEVDB_PG_BIN_DIR = process.env.BENCH_PG_BIN_DIR;

async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

async function seedCopies({ credentials, adminUrl }) {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  try {
    const { rows } = await pool.query('SHOW server_version');
    await ensureTeamDatabase(pool, { team: 'seed' });
    const seedUrl = new URL(adminUrl);
    seedUrl.pathname = '/team_seed';
    const seed = new pg.Client({ connectionString: seedUrl.toString() });
    await seed.connect();
    // The provisioner owns nothing here: the table goes in through the owner role.
    await seed.query('SET ROLE team_seed');
    const filled = await timed(() =>
      seed.query(
        `CREATE TABLE filler AS SELECT g AS id, repeat(md5(g::text), 30) AS body
             FROM generate_series(1, $1::int * 1000) g`,
        [SEED_MB],
      ),
    );
    await seed.end();
    // A seed at rest, as a real one is: its pages already written out, so neither
    // strategy pays for flushing the fill.
    const su = new pg.Client({
      connectionString: urlFor(credentials, 'superuser', 'devdb'),
    });
    await su.connect();
    await su.query('CHECKPOINT');
    await su.end();
    const size = await pool.query(`SELECT pg_database_size('team_seed') AS bytes`);
    const mb = Number(size.rows[0].bytes) / 2 ** 20;
    const picked = await timed(() =>
      ensureTeamDatabase(pool, { team: 'copy-picked', seedFrom: 'team_seed' }),
    );
    await pool.query(
      `INSERT INTO provisioning.settings (key, value) VALUES ('seed_file_copy_min_bytes', '999999999999999')`,
    );
    const walLog = await timed(() =>
      ensureTeamDatabase(pool, { team: 'copy-wal-log', seedFrom: 'team_seed' }),
    );
    const strategy =
      picked.result.repaired.find((line) => line.startsWith('copied by')) ?? 'wal_log';
    console.log(`PostgreSQL ${rows[0].server_version}; seed team_seed: ${mb.toFixed(0)} MiB`);
    console.log(`  filling the seed: ${(filled.ms / 1000).toFixed(1)} s`);
    console.log(`  DevDB's pick (${strategy}): ${picked.ms.toFixed(0)} ms`);
    console.log(`  WAL_LOG (PostgreSQL's default): ${walLog.ms.toFixed(0)} ms`);
    console.log(`  WAL_LOG ÷ DevDB's pick: ${(walLog.ms / picked.ms).toFixed(1)}×`);
  } finally {
    await pool.end();
  }
}

await withDevdbUp(seedCopies);
