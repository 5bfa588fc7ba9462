import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/**
 * Two kinds of schema files (docs/architecture-sql.md):
 * - numbered migrations (migrations/NNN_name.sql): tables, columns, data, drops;
 *   each applied once, never changed afterwards;
 * - repeatable files (<concept>/*.sql): the current definition of every function
 *   and view, re-applied whenever a file's content changes. Each lives in the
 *   concept folder beside the TypeScript that calls it; the ledger knows a file by
 *   its name alone, so moving one between folders re-applies nothing.
 *
 * Both ship beside the code (the build copies them into dist/). Resolved on
 * use, not at load: bundles that never migrate (the Terraform provider, in
 * CommonJS) have no import.meta.
 */
export function migrationsDir(): string {
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}

/** The provisioning folder: every concept folder's .sql files but migrations/ are repeatable. */
export function repeatablesDir(): string {
  return fileURLToPath(new URL('../', import.meta.url));
}

/**
 * The repeatable files, in the order they are applied (later files use what
 * earlier ones define). grants.sql comes last and is applied whenever anything
 * else is, so no function is ever left executable by PUBLIC.
 */
export const REPEATABLE_ORDER = [
  'helpers.sql',
  'naming.sql',
  'databases.sql',
  'access-levels.sql',
  'attachments.sql',
  'access.sql',
  'sampler.sql',
  'lifecycle.sql',
  'maintenance.sql',
  'policy.sql',
  'servers.sql',
  'sessions.sql',
  'enrollment.sql',
  'snapshots.sql',
  'entry-points.sql',
  'doctor.sql',
  'jobs.sql',
  'grants.sql',
] as const;
const GRANTS_FILE = REPEATABLE_ORDER.at(-1)!;

/**
 * Numbered migrations whose function and view definitions moved into the
 * repeatable files: the files were cut down to their tables, data and drops,
 * so their checksums changed. Data directories migrated by the previous
 * release recorded these checksums; they are accepted for exactly these files
 * (the repeatable files re-create everything that was cut). Any other change
 * to an applied migration is still refused.
 */
const CHECKSUMS_BEFORE_REPEATABLES: Readonly<Record<string, string>> = {
  '002_naming.sql': 'e56ccd6678878ab82e87de177bc1460ee824e0cec81e033a1d82b62a645f115c',
  '003_operations.sql': 'ba98305268214a360043e1d81d58ee10c3e6bdb091779bf81979cbdbb29c5e61',
  '004_entry_points.sql': '8b07f09528dbf416a43206527234f0ef753ae6012da6998f4752cea3fb15b1c6',
  '005_lifecycle.sql': 'ed7469872792a6b8a14a4f0e42762680acc1ae084d7825b74cb86b348fc92a47',
  '006_maintenance.sql': '3b8ed3cc5496658dbf1258c7445ec150b2e26c2a13b267e940a05b1e82e7f010',
  '007_access_evidence.sql': 'b3727c4ebfb5c09e18827032e50c845086a04ea9ec2e00ff558728ed6c0410b7',
};

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// pg_advisory_lock(classid, objid): 'devd' and 0 — database locks use hashtext(name).
const MIGRATION_LOCK = [1684371044, 0] as const;

export interface Migration {
  kind: 'numbered';
  version: number;
  file: string;
  sql: string;
  checksum: string;
}

export interface Repeatable {
  kind: 'repeatable';
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

export interface RepeatableState {
  file: string;
  /** changed: applied before, with other content than the file's now. */
  state: 'applied' | 'pending' | 'changed';
  appliedAt: Date | null;
}

export interface MigrationStatus {
  numbered: MigrationState[];
  repeatable: RepeatableState[];
}

export interface MigrateOptions {
  /** Numbered migrations; defaults to migrationsDir(). */
  dir?: string;
  /** Repeatable files; defaults to repeatablesDir(). null: numbered migrations only. */
  repeatableDir?: string | null;
  /** Called for each file applied, numbered ones first. */
  onApplied?: (file: Migration | Repeatable) => void;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function loadMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (file): Promise<Migration> => {
      const sql = await readFile(join(dir, file), 'utf8');
      const version = Number(FILE_PATTERN.exec(file)![1]);
      return { kind: 'numbered', version, file, sql, checksum: sha256(sql) };
    }),
  );
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationError(`migration ${m.file} is out of sequence: expected number ${i + 1}`);
  });
  return migrations;
}

/** Every .sql file under dir, by name, outside migrations/ folders; a name used twice is refused. */
async function findRepeatableFiles(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const found = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.sql')) continue;
    const path = join(entry.parentPath, entry.name);
    if (relative(dir, path).split(/[\\/]/).includes('migrations')) continue;
    const other = found.get(entry.name);
    if (other) {
      const [first, second] = [relative(dir, other), relative(dir, path)].sort();
      throw new MigrationError(
        `${first} and ${second}: two repeatable files named ${entry.name}; the ledger knows a file by its name, so each must be unique`,
      );
    }
    found.set(entry.name, path);
  }
  return found;
}

/** The repeatable files in REPEATABLE_ORDER; a .sql file not in the list is refused. */
export async function loadRepeatables(dir = repeatablesDir()): Promise<Repeatable[]> {
  const found = await findRepeatableFiles(dir);
  const listed = new Set<string>(REPEATABLE_ORDER);
  const stray = [...found.keys()].filter((name) => !listed.has(name));
  if (stray.length) {
    throw new MigrationError(
      `${stray.map((name) => relative(dir, found.get(name)!)).join(', ')} in ${dir} not in REPEATABLE_ORDER (provisioning/schema/migrate.ts): add it where it belongs in the order`,
    );
  }
  return Promise.all(
    REPEATABLE_ORDER.map(async (file): Promise<Repeatable> => {
      const path = found.get(file);
      if (!path) throw new MigrationError(`repeatable ${file} is missing from ${dir}`);
      const sql = await readFile(path, 'utf8');
      return { kind: 'repeatable', file: basename(path), sql, checksum: sha256(sql) };
    }),
  );
}

interface AppliedRow {
  version: number;
  file: string;
  checksum: string;
  applied_at: Date;
}

interface RepeatableRow {
  file: string;
  checksum: string;
  applied_at: Date;
}

async function ensureLedgers(client: pg.ClientBase, repeatables: boolean): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS provisioning`);
  await client.query(`CREATE TABLE IF NOT EXISTS provisioning.schema_migrations (
    version    int PRIMARY KEY,
    file       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  if (!repeatables) return;
  await client.query(`CREATE TABLE IF NOT EXISTS provisioning.schema_repeatables (
    file       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query(`SELECT to_regclass($1) AS t`, [table]);
  return rows[0].t !== null;
}

async function readLedger(client: pg.ClientBase): Promise<Map<number, AppliedRow>> {
  if (!(await tableExists(client, 'provisioning.schema_migrations'))) return new Map();
  const { rows } = await client.query<AppliedRow>(
    `SELECT version, file, checksum, applied_at FROM provisioning.schema_migrations ORDER BY version`,
  );
  return new Map(rows.map((r) => [r.version, r]));
}

async function readRepeatableLedger(client: pg.ClientBase): Promise<Map<string, RepeatableRow>> {
  if (!(await tableExists(client, 'provisioning.schema_repeatables'))) return new Map();
  const { rows } = await client.query<RepeatableRow>(
    `SELECT file, checksum, applied_at FROM provisioning.schema_repeatables`,
  );
  return new Map(rows.map((r) => [r.file, r]));
}

function checksumAccepted(migration: Migration, recorded: string): boolean {
  return (
    recorded === migration.checksum || recorded === CHECKSUMS_BEFORE_REPEATABLES[migration.file]
  );
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
    if (!checksumAccepted(migration, row.checksum)) {
      throw new MigrationError(
        `migration ${migration.file} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${migration.checksum.slice(0, 12)}… on disk); ` +
          'applied migrations must never change — restore the file and add a new migration instead',
      );
    }
  }
}

function repeatableState(
  file: Repeatable,
  row: RepeatableRow | undefined,
): RepeatableState['state'] {
  if (!row) return 'pending';
  return row.checksum === file.checksum ? 'applied' : 'changed';
}

/**
 * A numbered migration, within the run's transaction: a savepoint keeps the
 * ones before it when it fails (they are committed, it left nothing behind).
 */
async function applyNumbered(client: pg.ClientBase, migration: Migration): Promise<void> {
  await client.query('SAVEPOINT numbered');
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO provisioning.schema_migrations (version, file, checksum) VALUES ($1, $2, $3)`,
      [migration.version, migration.file, migration.checksum],
    );
    await client.query('RELEASE SAVEPOINT numbered');
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT numbered');
    await client.query('COMMIT');
    throw new MigrationError(`migration ${migration.file} failed: ${(error as Error).message}`);
  }
}

async function applyRepeatable(client: pg.ClientBase, file: Repeatable): Promise<void> {
  try {
    await client.query(file.sql);
    await client.query(
      `INSERT INTO provisioning.schema_repeatables (file, checksum) VALUES ($1, $2)
       ON CONFLICT (file) DO UPDATE SET checksum = excluded.checksum, applied_at = excluded.applied_at`,
      [file.file, file.checksum],
    );
  } catch (error) {
    throw new MigrationError(
      `repeatable ${file.file} failed: ${(error as Error).message}; nothing of this run was applied`,
    );
  }
}

/** The repeatable files to apply: changed or new ones, and grants.sql whenever anything is applied. */
function repeatablesToApply(
  repeatables: Repeatable[],
  ledger: Map<string, RepeatableRow>,
  numberedApplied: number,
): Repeatable[] {
  const due = repeatables.filter((r) => repeatableState(r, ledger.get(r.file)) !== 'applied');
  const anything = numberedApplied > 0 || due.length > 0;
  return repeatables.filter((r) => due.includes(r) || (anything && r.file === GRANTS_FILE));
}

/** Applies both kinds in one transaction; `report` hears of each file that was committed. */
async function applyInOneTransaction(
  client: pg.ClientBase,
  pending: Migration[],
  due: Repeatable[],
  report: (file: Migration | Repeatable) => void,
): Promise<void> {
  const done: (Migration | Repeatable)[] = [];
  await client.query('BEGIN');
  try {
    for (const migration of pending) {
      await applyNumbered(client, migration);
      done.push(migration);
    }
    for (const file of due) await applyRepeatable(client, file);
    await client.query('COMMIT');
    done.push(...due);
  } catch (error) {
    await client.query('ROLLBACK');
    // A failed numbered migration committed the ones before it (applyNumbered);
    // a failure after all of them left nothing behind.
    if (done.length === pending.length) done.length = 0;
    throw error;
  } finally {
    done.forEach(report);
  }
}

/**
 * Applies pending numbered migrations, then the repeatable files whose content
 * changed, in one transaction under a session advisory lock so that concurrent
 * `devdb up`/`migrate` runs queue. A failing numbered migration keeps the ones
 * before it; a failing repeatable file rolls the whole run back.
 * Needs a dedicated client (not a pool): the lock belongs to the session.
 * Returns the numbered migrations applied; onApplied hears of both kinds.
 */
export async function migrate(
  client: pg.ClientBase,
  options: MigrateOptions = {},
): Promise<Migration[]> {
  const migrations = await loadMigrations(options.dir);
  const repeatableDir =
    options.repeatableDir === undefined ? repeatablesDir() : options.repeatableDir;
  const repeatables = repeatableDir === null ? [] : await loadRepeatables(repeatableDir);
  await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
  try {
    await ensureLedgers(client, repeatableDir !== null);
    const applied = await readLedger(client);
    verifyApplied(migrations, applied);
    const pending = migrations.filter((m) => !applied.has(m.version));
    const due = repeatablesToApply(repeatables, await readRepeatableLedger(client), pending.length);
    await applyInOneTransaction(client, pending, due, (file) => options.onApplied?.(file));
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
  }
}

export async function migrationStatus(
  client: pg.ClientBase,
  dir?: string,
  repeatableDir: string | null = repeatablesDir(),
): Promise<MigrationStatus> {
  const migrations = await loadMigrations(dir);
  const applied = await readLedger(client);
  verifyApplied(migrations, applied);
  const repeatables = repeatableDir === null ? [] : await loadRepeatables(repeatableDir);
  const ledger = await readRepeatableLedger(client);
  return {
    numbered: migrations.map((m) => ({
      version: m.version,
      file: m.file,
      state: applied.has(m.version) ? 'applied' : 'pending',
      appliedAt: applied.get(m.version)?.applied_at ?? null,
    })),
    repeatable: repeatables.map((r) => ({
      file: r.file,
      state: repeatableState(r, ledger.get(r.file)),
      appliedAt: ledger.get(r.file)?.applied_at ?? null,
    })),
  };
}
