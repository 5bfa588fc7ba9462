import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/**
 * The migrations ship beside this module (the build copies them into dist/).
 * Resolved on use, not at load: bundles that never migrate (the Terraform
 * provider, in CommonJS) have no import.meta.
 */
export function migrationsDir(): string {
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// pg_advisory_lock(classid, objid): 'devd' and 0 — database locks use hashtext(name).
const MIGRATION_LOCK = [1684371044, 0] as const;

export interface Migration {
  version: number;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrationState {
  version: number;
  file: string;
  state: 'applied' | 'pending';
  appliedAt: Date | null;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function loadMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (file) => {
      const sql = await readFile(join(dir, file), 'utf8');
      const version = Number(FILE_PATTERN.exec(file)![1]);
      return { version, file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationError(`migration ${m.file} is out of sequence: expected number ${i + 1}`);
  });
  return migrations;
}

interface AppliedRow {
  version: number;
  file: string;
  checksum: string;
  applied_at: Date;
}

async function ensureLedger(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS provisioning`);
  await client.query(`CREATE TABLE IF NOT EXISTS provisioning.schema_migrations (
    version    int PRIMARY KEY,
    file       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function readLedger(client: pg.ClientBase): Promise<Map<number, AppliedRow>> {
  const exists = await client.query(`SELECT to_regclass('provisioning.schema_migrations') AS t`);
  if (exists.rows[0].t === null) return new Map();
  const { rows } = await client.query<AppliedRow>(
    `SELECT version, file, checksum, applied_at FROM provisioning.schema_migrations ORDER BY version`,
  );
  return new Map(rows.map((r) => [r.version, r]));
}

/** Refuses to go on when an applied migration's file changed or is missing. */
function verifyApplied(migrations: Migration[], applied: Map<number, AppliedRow>): void {
  for (const row of applied.values()) {
    const migration = migrations.find((m) => m.version === row.version);
    if (!migration) {
      throw new MigrationError(
        `the database has migration ${row.file} applied, which this DevDB does not know: it is older than the schema; upgrade DevDB`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${migration.file} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${migration.checksum.slice(0, 12)}… on disk); ` +
          'applied migrations must never change — restore the file and add a new migration instead',
      );
    }
  }
}

async function applyOne(client: pg.ClientBase, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO provisioning.schema_migrations (version, file, checksum) VALUES ($1, $2, $3)`,
      [migration.version, migration.file, migration.checksum],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`migration ${migration.file} failed: ${(error as Error).message}`);
  }
}

/**
 * Applies pending migrations, each once and in its own transaction, under a
 * session advisory lock so that concurrent `devdb up`/`migrate` runs queue.
 * Needs a dedicated client (not a pool): the lock belongs to the session.
 */
export async function migrate(
  client: pg.ClientBase,
  options: { dir?: string; onApplied?: (m: Migration) => void } = {},
): Promise<Migration[]> {
  const migrations = await loadMigrations(options.dir);
  await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
  try {
    await ensureLedger(client);
    const applied = await readLedger(client);
    verifyApplied(migrations, applied);
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const migration of pending) {
      await applyOne(client, migration);
      options.onApplied?.(migration);
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
  }
}

export async function migrationStatus(
  client: pg.ClientBase,
  dir?: string,
): Promise<MigrationState[]> {
  const migrations = await loadMigrations(dir);
  const applied = await readLedger(client);
  verifyApplied(migrations, applied);
  return migrations.map((m) => ({
    version: m.version,
    file: m.file,
    state: applied.has(m.version) ? 'applied' : 'pending',
    appliedAt: applied.get(m.version)?.applied_at ?? null,
  }));
}
