/**
 * The SQL boundary (docs/architecture-sql.md, "The boundary, checked"): the
 * TypeScript that calls SQL held against what PostgreSQL says the SQL is.
 *
 * It starts one migrated DevDB, reads pg_proc, pg_class/pg_attribute and pg_type
 * for schema `provisioning`, and, with the TypeScript compiler, finds every
 * statement under provisioning/ and agent/ (the workspace's side: report_access,
 * enroll) sent by `query`/`queryOne` (provisioning/schema/db.ts) or a pool's or
 * client's `.query` whose text is a constant: a string, a template (each `${…}` a
 * constant, else left out of what is checked), a constant's name.
 * For each it checks:
 * - every `provisioning.<f>(…)` exists and gets an argument count one of its
 *   overloads takes (pronargs − pronargdefaults to pronargs), or, in named
 *   notation (`=>`), names that are its arguments' and leaves out none without
 *   a default;
 * - every argument written `$n::type` is cast to that argument's type;
 * - every `provisioning.<name>` without brackets is a table, view or type;
 * - a call passing its values as an array literal passes as many as the highest
 *   `$n` of its statement (none passed: none used);
 * - each column its select list names plainly (`x`, `t.x`, casts aside) is a
 *   column of its FROM item, when that is a provisioning function, view or table;
 * - when the call declares its rows' type (`query<Row>`, `pool.query<Row>`, or
 *   query/queryOne's inferred from where the result goes), every property of
 *   Row, as the type checker resolves it, is a column the statement returns: a
 *   name of its select list (`AS x`, `AS "x"`, a bare column, a function call's
 *   name) or RETURNING list, `*` and `alias.*` expanded from the function's
 *   result columns (OUT/TABLE arguments, a composite type), the view's or table's.
 * A constant naming a provisioning function that no such call sends (sent from
 * elsewhere, a fragment joined at run time) gets the first three.
 *
 * Not checked: that a row property's type suits its column's (bigint arrives as a
 * string); the type of a `$n` not cast straight in a provisioning call's argument
 * list; what a `${…}` that is not a constant holds (the argument list it is in,
 * its call's count of values and, when it may hold a column, the row are skipped;
 * every row skipped must be of such a statement); `*` over anything but a
 * provisioning function, view or table; SQL outside provisioning/ and agent/
 * (server/ sends none: eslint.config.js; provider/ none but a ping); whether a
 * function is called at all; what the SQL does.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';
import {
  castTypesOf,
  checkSites,
  findSqlSites,
  readCatalog,
  typeScriptFiles,
  type Catalog,
  type Outcome,
  type SqlSite,
} from '../helpers/sql-boundary.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Wrappers that drift, each a way the check must fail (and two that pass): calls in a
 * file that exists only in memory beside the real ones (so it imports what they
 * import), scanned with them. Each is one line; `expected` is in its one problem.
 */
const PROBES: { name: string; call: string; expected?: string }[] = [
  {
    name: 'too few arguments',
    call: `queryOne<{ ok: boolean }>(db, 'SELECT provisioning.renew_job_lease($1, $2, $3) AS ok', [1, 2, 3])`,
    expected:
      'provisioning.renew_job_lease(): it needs at least 4 (3 arguments given; the function is provisioning.renew_job_lease(text,timestamp with time zone,text,interval))',
  },
  {
    name: 'too many arguments',
    call: `queryOne<{ ok: boolean }>(db, 'SELECT provisioning.renew_job_lease($1, $2, $3, $4::interval, $5) AS ok', [1, 2, 3, 4, 5])`,
    expected: 'provisioning.renew_job_lease(): it takes at most 4 (5 arguments given',
  },
  {
    name: 'a cast to another type than the argument has',
    call: `queryOne<{ ok: boolean }>(db, 'SELECT provisioning.renew_job_lease($1, $2, $3, $4::int) AS ok', [1, 2, 3, 4])`,
    expected: '$4::int is passed as p_ttl, of type interval',
  },
  {
    name: 'fewer values than $n',
    call: `queryOne<{ ok: boolean }>(db, 'SELECT provisioning.renew_job_lease($1, $2, $3, $4::interval) AS ok', [1, 2, 3])`,
    expected:
      'provisioning.renew_job_lease(): the statement uses $1..$4 but the call passes 3 values',
  },
  {
    name: 'a row property the function does not return',
    call: `query<{ claim: string; tick: Date; holder: string }>(db, 'SELECT * FROM provisioning.claim_job_tick($1, $2, $3, $4::interval, $5)', [1, 2, 3, 4, 5])`,
    expected:
      'provisioning.claim_job_tick(): the row type { claim: string; tick: Date; holder: string; } has "holder", which the statement does not return (it returns "claim", "tick")',
  },
  {
    name: 'a row property the select list does not name',
    call: `query<{ name: string; bytes: number }>(db, 'SELECT db_name AS name, size_bytes AS size FROM provisioning.database_summary')`,
    expected: 'has "bytes", which the statement does not return (it returns "name", "size")',
  },
  {
    name: 'a column the view does not have',
    call: `query<{ name: string; sessions: number }>(db, 'SELECT s.db_name AS name, s.sessions FROM provisioning.database_summary s')`,
    expected:
      'provisioning.database_summary: selects s.sessions, which is not one of its columns (db_name, db_type,',
  },
  {
    name: 'a function that does not exist',
    call: `query(db, 'SELECT provisioning.no_such_function($1)', [1])`,
    expected: 'provisioning.no_such_function(): no function of that name in schema provisioning',
  },
  {
    name: 'a view that does not exist',
    call: `query(db, 'SELECT * FROM provisioning.no_such_view')`,
    expected:
      'provisioning.no_such_view: no table, view or type of that name in schema provisioning',
  },
  {
    name: 'a named argument the function does not have',
    call: `query(db, 'SELECT provisioning.prune_job_leases(p_no_such_name => $1)', [1])`,
    expected: 'it has no argument named p_no_such_name; argument p_keep not given',
  },
  {
    name: 'passes: a right call',
    call: `queryOne<{ ok: boolean }>(db, 'SELECT provisioning.renew_job_lease($1, $2, $3, $4::interval) AS ok', [1, 2, 3, 4])`,
  },
  {
    name: 'passes: named notation',
    call: `queryOne<{ n: number }>(db, 'SELECT provisioning.prune_job_leases(p_keep => $1::interval) AS n', [1])`,
  },
];
const PROBE = path.join(ROOT, 'provisioning', 'sql-boundary-probe.ts');
const PROBE_HEADER = `import { query, queryOne, type Queryable } from './schema/index.js';\n\nexport async function probes(db: Queryable) {\n`;
const PROBE_TEXT = `${PROBE_HEADER}${PROBES.map((probe) => `  await ${probe.call};\n`).join('')}}\n`;
const probeLine = (index: number) => `${path.relative(ROOT, PROBE)}:${index + 4}`;

let devdb: TestDevDb | undefined;
let sites: SqlSite[];
let probeSites: SqlSite[];
let catalog: Catalog;
let outcome: Outcome;

beforeAll(async () => {
  const started = startTestDevDb();
  try {
    const files = ['provisioning', 'agent'].flatMap((dir) => typeScriptFiles(path.join(ROOT, dir)));
    const all = findSqlSites(ROOT, files, new Map([[PROBE, PROBE_TEXT]]));
    const probe = `${path.relative(ROOT, PROBE)}:`;
    sites = all.filter((site) => !site.where.startsWith(probe));
    probeSites = all.filter((site) => site.where.startsWith(probe));
  } finally {
    devdb = await started;
  }
  catalog = await readCatalog(devdb.pool, castTypesOf([...sites, ...probeSites]));
  outcome = checkSites(sites, catalog);
});

afterAll(async () => {
  await devdb?.stop();
});

describe('the SQL boundary: provisioning/ against pg_proc and pg_attribute', () => {
  it('finds the statements and the functions they call', () => {
    expect(sites.length).toBeGreaterThan(150);
    expect(outcome.functions.size).toBeGreaterThan(50);
    expect(outcome.rowsChecked).toBeGreaterThan(80);
    // The reader understands every constant statement: rows go unchecked only where
    // the statement is built at run time.
    expect(outcome.rowsSkipped.filter((skip) => !skip.endsWith('built at run time'))).toEqual([]);
  });

  it('every wrapper matches its function, view or table', () => {
    expect(outcome.problems).toEqual([]);
  });
});

describe('the SQL boundary check fails on a drifted wrapper', () => {
  it.each(PROBES.map((probe, index) => ({ ...probe, where: probeLine(index) })))(
    '$name',
    ({ where, expected }) => {
      expect(probeSites.map((site) => site.where)).toContain(where);
      const { problems } = checkSites(
        probeSites.filter((site) => site.where === where),
        catalog,
      );
      // One problem, named by file:line, saying what differs.
      expect(problems).toEqual(
        expected === undefined
          ? []
          : [expect.stringMatching(new RegExp(`^${where.replaceAll('.', '\\.')}: `))],
      );
      if (expected !== undefined) expect(problems[0]).toContain(expected);
    },
  );
});
