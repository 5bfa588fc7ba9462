// `doctor` checks the workspace's psql and pg_dump against the server's major
// version: pg_dump older than the server cannot dump it (a problem), psql older
// than the server connects (a warning), a missing client is a hint. The
// machine's real clients (Debian 12: 15) against the tests' server (17) are the
// real mismatch; stand-in `--version` scripts give the other cases.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseClientMajor, serverMajor } from '../../agent/doctor/clients.js';
import { binDir, outputs, serverMajorOf, runAgent, workspaceEnv, workspaceSuite } from './agent.js';

const exec = promisify(execFile);
const ws = workspaceSuite('frank');
let server: number;

beforeAll(async () => {
  server = await serverMajorOf(ws.devdb);
  const run = await runAgent(['start'], workspaceEnv(ws.creds, ws.home));
  expect(run.code, run.stderr).toBe(0);
});

/** doctor with `bin` first on the PATH (or as the whole PATH). */
async function doctorWith(bin: string, { only = false } = {}) {
  const PATH = only ? bin : `${bin}:${process.env.PATH}`;
  return runAgent(['doctor'], { ...workspaceEnv(ws.creds, ws.home), PATH });
}

describe('parsing versions', () => {
  test.each([
    ['psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', 15],
    ['pg_dump (PostgreSQL) 17.2 (Homebrew)', 17],
    ['pg_dump (PostgreSQL) 18beta1', 18],
    ['pg_dump (PostgreSQL) 9.6.24', 9],
    ['pg_dump: command not found', undefined],
  ])('%s → %s', (output, major) => {
    expect(parseClientMajor(output)).toBe(major);
  });

  test('server_version_num → major', () => {
    expect([170010, 150018, 180000, 90624].map(serverMajor)).toEqual([17, 15, 18, 9]);
  });
});

test("the machine's older pg_dump is a problem that names the package; its older psql a warning", async () => {
  const { stdout } = await exec('pg_dump', ['--version']);
  const client = parseClientMajor(stdout)!;
  expect(client, `this test needs a pg_dump older than the ${server} server`).toBeLessThan(server);
  const run = await runAgent(['doctor'], workspaceEnv(ws.creds, ws.home));
  expect(run.code, run.stdout).toBe(1);
  expect(run.stdout).toMatch(
    new RegExp(
      `^FAIL\\s+pg_dump\\s+pg_dump ${client} cannot dump a PostgreSQL ${server} server`,
      'm',
    ),
  );
  expect(run.stdout).toMatch(
    new RegExp(
      `^WARN\\s+psql\\s+psql ${client} is older than the PostgreSQL ${server} server`,
      'm',
    ),
  );
  expect(run.stdout).toContain(`fix: install postgresql-client-${server} (or newer)`);
  expect(run.stdout).toContain('PGDG apt repository');
  expect(run.stdout).toContain('1 problem(s) found');
});

test('clients of the server major or newer are fine', async () => {
  const bin = await binDir(path.join(ws.home, 'bin-new'), {
    psql: `${server}.0`,
    pg_dump: `${server + 1}.1`,
  });
  const run = await doctorWith(bin);
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`^ok\\s+psql\\s+psql ${server} works`, 'm'));
  expect(run.stdout).toMatch(new RegExp(`^ok\\s+pg_dump\\s+pg_dump ${server + 1} works`, 'm'));
  expect(run.stdout).toContain('everything looks right');
});

test('an older psql alone is a warning, not a problem', async () => {
  const bin = await binDir(path.join(ws.home, 'bin-psql-old'), {
    psql: `${server - 2}.5`,
    pg_dump: `${server}.0`,
  });
  const run = await doctorWith(bin);
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).toMatch(/^WARN\s+psql\s/m);
  expect(run.stdout).toContain('everything looks right');
});

test('missing clients are a hint, not a problem', async () => {
  const run = await doctorWith(await binDir(path.join(ws.home, 'bin-none'), {}), { only: true });
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).toMatch(/^hint\s+psql\s+psql is not on the PATH/m);
  expect(run.stdout).toMatch(/^hint\s+pg_dump\s+pg_dump is not on the PATH/m);
  expect(run.stdout).toContain(`install postgresql-client-${server}`);
});

test('the password appears in no output of any command in this file', () => {
  for (const out of outputs) expect(out).not.toContain(ws.creds.password);
});
