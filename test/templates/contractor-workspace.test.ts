/**
 * The whole workspace lifecycle, driven the way Coder's provisioner drives the
 * contractor-workspace template: each workspace has its own state; every build
 * is `terraform init`, `plan -refresh=true -out` and `apply` of that plan, with
 * the build's CODER_* variables and parameters in the environment; delete is
 * `plan -destroy`. The template is the synthesized cdktn app without the Docker
 * container (no Docker engine here); the devdb provider is the real one, the
 * coder provider the stand-in under test/coder-provider. Inside the "workspace",
 * the real devdb-agent and psql run with the coder_env values Terraform produced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLLMENT_TOKEN_PREFIX } from '../../provisioning/contract/index.js';
import type { TestDevDb } from '../helpers/devdb.js';
import { startLab, stopLab, Workspace, type Lab } from './coder-lab.js';

describe('contractor-workspace, end to end as Coder runs it', () => {
  let devdb: TestDevDb;
  let lab: Lab;
  const workspace = (
    name: string,
    owner: string,
    params: Record<string, string>,
    prebuild = false,
  ) => new Workspace(lab, name, owner, params, prebuild);
  const individual = { database_type: 'individual' };
  const databaseExists = async (name: string) => {
    const su = await devdb.superuser();
    const { rowCount } = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  };

  beforeAll(async () => {
    lab = await startLab();
    devdb = lab.devdb;
  });

  afterAll(() => stopLab(lab));

  let ws1: Workspace;
  let ws2: Workspace;

  it('alice creates ws1 (individual): dev_alice, the right coder_env, psql works with no password', async () => {
    ws1 = workspace('ws1', 'alice', individual);
    await ws1.build('start');
    expect(await databaseExists('dev_alice')).toBe(true);
    const env = ws1.coderEnv();
    // Enrollment (the template's choice): a single-use token, never a password.
    expect(Object.keys(env).sort()).toEqual([
      'DEVDB_CA_CERT', // empty: this lab's server serves no TLS
      'DEVDB_ENROLL_TOKEN',
      'DEVDB_HOST',
      'DEVDB_NAME',
      'DEVDB_PORT',
      'DEVDB_URL',
      'DEVDB_USER',
    ]);
    expect(env).toMatchObject({
      DEVDB_CA_CERT: '',
      DEVDB_HOST: devdb.endpoint.host,
      DEVDB_PORT: String(devdb.endpoint.port),
      DEVDB_NAME: 'dev_alice',
      DEVDB_URL: `postgresql://${env.DEVDB_USER}@${devdb.endpoint.host}:${devdb.endpoint.port}/dev_alice`,
    });
    expect(env.DEVDB_USER).toMatch(/^ws_alice_[0-9a-f]{16}$/);
    expect(env.DEVDB_ENROLL_TOKEN!.startsWith(ENROLLMENT_TOKEN_PREFIX)).toBe(true);
    expect(ws1.databases()[0]).toMatchObject({ credentials: 'enrollment', password: '' });

    const log = await ws1.agentStart();
    expect(log).toContain('enrolled a new password');
    expect(log).toContain('connected to dev_alice');
    expect(log).not.toContain(env.DEVDB_ENROLL_TOKEN);
    expect(log).not.toContain(ws1.pgpassPassword());
    expect(await ws1.psql('select 1')).toBe('1');
    await ws1.psql("CREATE TABLE notes (t text); INSERT INTO notes VALUES ('kept')");
  });

  it("coder_metadata shows Coder's workspace page dev_alice's name, user, address and access, never the password", () => {
    const env = ws1.coderEnv();
    const [database] = ws1.databases();
    const [metadata] = ws1.metadata();
    expect(metadata).toMatchObject({ resource_id: database!.id, icon: '/icon/database.svg' });
    expect(metadata!.item).toEqual([
      { key: 'database', value: 'dev_alice', sensitive: false, is_null: false },
      { key: 'user', value: env.DEVDB_USER, sensitive: false, is_null: false },
      {
        key: 'host',
        value: `${devdb.endpoint.host}:${devdb.endpoint.port}`,
        sensitive: false,
        is_null: false,
      },
      { key: 'access', value: 'write', sensitive: false, is_null: false },
    ]);
    expect(JSON.stringify(metadata)).not.toContain(env.DEVDB_ENROLL_TOKEN);
    expect(JSON.stringify(metadata)).not.toContain(ws1.pgpassPassword());
  });

  it('stop keeps the database and the credentials; start finds the same database with the data', async () => {
    // The token was used: each build gives the workspace a fresh one (enrollment.test.ts).
    const address = ({ DEVDB_ENROLL_TOKEN: _, ...rest }: Record<string, string>) => rest;
    const before = address(ws1.coderEnv());
    await ws1.build('stop');
    expect(await databaseExists('dev_alice')).toBe(true);
    expect(address(ws1.coderEnv())).toEqual(before);
    expect(await ws1.psql('SELECT t FROM notes')).toBe('kept');

    await ws1.build('start');
    expect(address(ws1.coderEnv())).toEqual(before);
    expect(await ws1.agentStart()).toContain('the enrollment token stays unused');
    expect(await ws1.psql('SELECT t FROM notes')).toBe('kept');
  });

  it('ws2 of alice shares dev_alice with its own credentials; deleting ws1 leaves ws2 working', async () => {
    ws2 = workspace('ws2', 'alice', individual);
    await ws2.build('start');
    const env1 = ws1.coderEnv();
    const env2 = ws2.coderEnv();
    expect(env2.DEVDB_NAME).toBe('dev_alice');
    expect(env2.DEVDB_USER).not.toBe(env1.DEVDB_USER);
    expect(env2.DEVDB_ENROLL_TOKEN).not.toBe(env1.DEVDB_ENROLL_TOKEN);
    await ws2.agentStart();
    expect(ws2.pgpassPassword()).not.toBe(ws1.pgpassPassword());
    expect(await ws2.psql('SELECT t FROM notes')).toBe('kept');

    await ws1.build('destroy');
    expect(ws1.databases()).toEqual([]);
    expect(await ws2.psql('SELECT t FROM notes')).toBe('kept');
    // ws1's home still has its ~/.pgpass line: the credential itself must be dead.
    await expect(ws1.psql('select 1', env1)).rejects.toThrow(
      /password authentication failed|no password supplied/,
    );
    expect(await databaseExists('dev_alice')).toBe(true);
  });

  it('bob and carol on team frontend-project at once: one database, both connect, personal schema first', async () => {
    const team = { database_type: 'team', team_database_name: 'frontend-project' };
    const bob = workspace('bobws', 'bob', team);
    const carol = workspace('carolws', 'carol', team);
    await Promise.all([bob.build('start'), carol.build('start')]);
    const su = await devdb.superuser();
    const { rows } = await su.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'team_frontend%'",
    );
    expect(rows).toEqual([{ datname: 'team_frontend_project' }]);
    for (const [member, ws] of [
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      await ws.agentStart();
      expect(await ws.psql('SELECT current_database()')).toBe('team_frontend_project');
      expect(await ws.psql('SHOW search_path')).toBe(`${member}, shared, public`);
      await ws.psql(`CREATE TABLE mine_${member} (x int)`);
      expect(
        await ws.psql(`SELECT schemaname FROM pg_tables WHERE tablename = 'mine_${member}'`),
      ).toBe(member);
    }
  });

  it("teamOptions 'existing': erin picks frontend-project among the teams; an unlisted team is refused", async () => {
    const listed = (name: string, params: Record<string, string>) =>
      new Workspace(lab, name, 'erin', params, false, lab.listTemplateFile);
    const erin = listed('erinws', {
      database_type: 'team',
      team_database_name: 'frontend-project',
    });
    await erin.build('start');
    expect(erin.coderEnv().DEVDB_NAME).toBe('team_frontend_project');

    // The empty default is an option ("No team"), so other workspaces build as before.
    const own = listed('erinown', individual);
    await own.build('start');
    expect(own.coderEnv().DEVDB_NAME).toBe('dev_erin');

    const newTeam = listed('erinnew', { database_type: 'team', team_database_name: 'new-team' });
    await expect(newTeam.build('start')).rejects.toThrow(/must be a valid option/);
    expect(await databaseExists('team_new_team')).toBe(false);
  });

  it('none gets no database and no DEVDB_*; a prebuilt workspace gets no database', async () => {
    const none = workspace('nodb', 'dave', { database_type: 'none' });
    await none.build('start');
    expect(none.databases()).toEqual([]);
    expect(none.coderEnv()).toEqual({});
    expect(await databaseExists('dev_dave')).toBe(false);

    const prebuild = workspace('pre', 'prebuilds', individual, true);
    await prebuild.build('start');
    expect(prebuild.databases()).toEqual([]);
    expect(prebuild.coderEnv()).toEqual({});
    expect(await databaseExists('dev_prebuilds')).toBe(false);
  });

  it('never shows a password or an enrollment token in any terraform output', () => {
    const secrets = [ws1.pgpassPassword(), ws2.pgpassPassword(), ws2.coderEnv().DEVDB_ENROLL_TOKEN];
    expect(secrets.every(Boolean)).toBe(true);
    for (const output of lab.outputs) {
      for (const secret of secrets) expect(output).not.toContain(secret);
    }
  });
});
