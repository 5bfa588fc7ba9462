import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticateApiToken, listEvents } from '../../provisioning/index.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

let devdb: TestDevDb;
const cli = (args: string[]) => runDevdb([...args, '--admin-url', devdb.provisionerUrl]);

beforeAll(async () => {
  devdb = await startTestDevDb();
});

afterAll(async () => {
  await devdb?.stop();
});

it('creates a token, shown once, stored hashed; lists without secrets; revokes', async () => {
  const created = await cli(['token', 'create', '--name', 'grafana', '--role', 'viewer']);
  expect(created.code, created.stderr).toBe(0);
  const token = /^token +(devdb_\S+)$/m.exec(created.stdout)![1]!;
  expect(created.stdout).toMatch(/shown once/);
  expect(await authenticateApiToken(devdb.pool, token)).toMatchObject({
    name: 'grafana',
    role: 'viewer',
  });
  const { rows } = await devdb.pool.query(`SELECT hash FROM provisioning.api_tokens`);
  expect(rows[0].hash).not.toContain(token);
  expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);

  const json = await cli(['token', 'create', '--name', 'ci-bot', '--role', 'admin', '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({
    name: 'ci-bot',
    role: 'admin',
    token: expect.stringMatching(/^devdb_/),
  });

  const twice = await cli(['token', 'create', '--name', 'grafana', '--role', 'admin']);
  expect(twice.code).toBe(1);
  expect(twice.stderr).toMatch(/named "grafana" exists already.*choose another name/);
  const badName = await cli(['token', 'create', '--name', 'Bad Name', '--role', 'admin']);
  expect(badName.code).toBe(1);
  expect(badName.stderr).toMatch(/invalid token name/);
  const badRole = await cli(['token', 'create', '--name', 'x', '--role', 'root']);
  expect(badRole.code).toBe(2);

  const list = await cli(['token', 'list', '--json']);
  const tokens = JSON.parse(list.stdout) as Record<string, unknown>[];
  expect(tokens.map((t) => [t.name, t.role, t.revokedAt])).toEqual([
    ['ci-bot', 'admin', null],
    ['grafana', 'viewer', null],
  ]);
  expect(list.stdout).not.toContain('devdb_');
  expect(list.stdout).not.toMatch(/hash/);
  expect((await cli(['token', 'list'])).stdout).toMatch(/grafana +│ viewer/);

  const revoked = await cli(['token', 'revoke', 'grafana']);
  expect(revoked.stdout).toBe('revoked API token grafana\n');
  expect(await authenticateApiToken(devdb.pool, token)).toBeNull();
  expect((await cli(['token', 'revoke', 'grafana'])).stdout).toMatch(/revoked already/);
  const unknown = await cli(['token', 'revoke', 'nobody']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/no API token named "nobody"/);

  const events = await listEvents(devdb.pool);
  expect(events.map((e) => [e.actor, e.action])).toEqual([
    ['cli', 'token.revoke'],
    ['cli', 'token.create'],
    ['cli', 'token.create'],
  ]);
});
