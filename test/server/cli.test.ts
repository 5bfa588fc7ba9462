import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../server/embedded/index.js';
import { captureIO, runDevdb as devdb, type CliResult } from '../helpers/cli-io.js';
import { CLI, startUp, stopUp, type UpProcess } from '../helpers/up-process.js';
import { buildProgram } from '../../server/program.js';

const run = promisify(execFile);

/**
 * Runs the built `devdb` executable, for what only a process shows (exit codes,
 * signals); everything else runs in this process (runDevdb). The environment
 * never carries an admin URL by accident.
 */
async function devdbProcess(args: string[]): Promise<CliResult> {
  const { DEVDB_ADMIN_URL: _ignored, ...env } = process.env;
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `devdb provision` arguments, as a script would pass them. */
function provisionArgs(
  dataDir: string,
  o: {
    type: string;
    owner: string;
    workspaceId: string;
    team?: string;
    workspaceName?: string;
    json?: boolean;
    rotate?: boolean;
  },
): string[] {
  const args = ['provision', '--data-dir', dataDir, '--type', o.type, '--owner', o.owner];
  args.push('--workspace-id', o.workspaceId);
  if (o.team !== undefined) args.push('--team', o.team);
  if (o.workspaceName !== undefined) args.push('--workspace-name', o.workspaceName);
  if (o.json) args.push('--json');
  if (o.rotate) args.push('--rotate');
  return args;
}

/** A client for a password-less DEVDB_URL plus its password (pg lets a URL override `password`). */
function clientFor(url: string, password: string): pg.Client {
  const u = new URL(url);
  return new pg.Client({
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    database: decodeURIComponent(u.pathname.slice(1)),
    password,
  });
}

async function canConnect(url: string, password: string): Promise<string> {
  const client = clientFor(url, password);
  await client.connect();
  try {
    return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  } finally {
    await client.end();
  }
}

describe('devdb command, end to end', () => {
  let root: string;
  let dataDir: string;
  let up: UpProcess | undefined;
  let credentials: { superuser: { password: string }; provisioner: { password: string } };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'devdb-cli-'));
    await chmod(root, 0o755); // as root, PostgreSQL runs unprivileged and must enter it
    dataDir = path.join(root, 'data');
    up = await startUp(dataDir);
    credentials = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8'));
  });

  afterAll(async () => {
    if (up) await stopUp(up);
    await rm(root, { recursive: true, force: true });
  });

  it('stores generated credentials 0600 and never prints them', async () => {
    const mode = (await stat(path.join(dataDir, 'credentials.json'))).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(up!.output()).toContain('DEVDB_ADMIN_URL=postgresql://devdb_provisioner:****@');
    expect(up!.output()).not.toContain(credentials.provisioner.password);
    expect(up!.output()).not.toContain(credentials.superuser.password);
  });

  it('prints the provisioner URL, password included, only when asked with admin-url', async () => {
    const { code, stdout } = await devdb(['admin-url', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const url = new URL(stdout.trim());
    expect(url.username).toBe('devdb_provisioner');
    expect(decodeURIComponent(url.password)).toBe(credentials.provisioner.password);
    expect(url.pathname).toBe('/devdb');
  });

  it('provisions an individual database that psql and pg can use', async () => {
    const result = await devdb(
      provisionArgs(dataDir, {
        type: 'individual',
        owner: 'alice',
        workspaceId: 'ws-alice-1',
        workspaceName: 'dev',
        json: true,
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(Object.keys(info).sort()).toEqual([
      'env',
      'host',
      'name',
      'password',
      'port',
      'url',
      'user',
    ]);
    expect(info.name).toBe('dev_alice');
    expect(info.password.length).toBeGreaterThanOrEqual(32);
    expect(info.url).not.toContain(info.password);
    // --data-dir finds the server with its TLS: workspaces verify it with its CA
    // (the agent writes it where libpq looks); the admin's URL names the CA's file.
    const ca = await readFile(path.join(dataDir, 'tls', 'ca.crt'), 'utf8');
    expect(info.env).toEqual({
      DEVDB_HOST: info.host,
      DEVDB_PORT: String(info.port),
      DEVDB_NAME: 'dev_alice',
      DEVDB_USER: info.user,
      DEVDB_URL: `postgresql://${info.user}@${info.host}:${info.port}/dev_alice?sslmode=verify-full`,
      DEVDB_CA_CERT: ca,
    });
    expect(info.url).toBe(
      `${info.env.DEVDB_URL}&sslrootcert=${path.join(dataDir, 'tls', 'ca.crt')}`,
    );

    const psql = await run(
      'psql',
      [
        info.url,
        '-v',
        'ON_ERROR_STOP=1',
        '-tAc',
        'CREATE TABLE notes (t text); INSERT INTO notes VALUES ($$kept$$); SELECT current_user',
      ],
      { env: { ...process.env, PGPASSWORD: info.password, PGCONNECT_TIMEOUT: '5' } },
    );
    expect(psql.stdout.trim().split('\n').at(-1)).toBe('dev_alice');
    expect(await canConnect(info.url, info.password)).toBe('dev_alice');
  });

  it("shows a new attachment's password once, marked so, with a ready psql line", async () => {
    const result = await devdb(
      provisionArgs(dataDir, {
        type: 'team',
        owner: 'bob',
        team: 'frontend-project',
        workspaceId: 'ws-bob-1',
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('team_frontend_project');
    const password = /^password +(\S+)$/m.exec(result.stdout)![1]!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(result.stdout).toContain('Save these now: the password is shown once.');
    const psqlUrl = /^ {2}psql "(postgresql:\/\/[^"]+)"$/m.exec(result.stdout)![1]!;
    expect(decodeURIComponent(new URL(psqlUrl).password)).toBe(password);
    const psql = await run('psql', [psqlUrl, '-tAc', 'SELECT current_database()'], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    expect(psql.stdout.trim()).toBe('team_frontend_project');
  });

  it('lists, summarises, inspects and shows users, as tables and as JSON', async () => {
    const list = await devdb(['list', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(list.stdout).map((d: { name: string }) => d.name)).toEqual([
      'dev_alice',
      'team_frontend_project',
    ]);
    const table = await devdb(['list', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/dev_alice\s+│ individual/);
    const summary = JSON.parse((await devdb(['summary', '--data-dir', dataDir, '--json'])).stdout);
    expect(summary).toMatchObject({ databases: 2, activeAttachments: 2, users: 2 });
    const inspect = JSON.parse(
      (await devdb(['inspect', 'dev_alice', '--data-dir', dataDir, '--json'])).stdout,
    );
    expect(inspect.attachments[0]).toMatchObject({
      workspaceId: 'ws-alice-1',
      workspaceName: 'dev',
    });
    const users = JSON.parse((await devdb(['users', '--data-dir', dataDir, '--json'])).stdout);
    expect(users.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob']);
    const missing = await devdb(['inspect', 'dev_nobody', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no DevDB database named "dev_nobody"');
  });

  it('prints tables with a header rule, IEC sizes and right-aligned numbers; colour only on a terminal', async () => {
    const { stdout } = await devdb(['list', '--data-dir', dataDir]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^│ database +│ type +│/);
    expect(lines[2]).toMatch(/^├─+┼─+┼/);
    const alice = lines.find((l) => l.includes('dev_alice'))!.split('│');
    expect(alice[6]).toMatch(/^ {2,}1 $/); // workspaces (after status and policy)
    expect(alice[8]).toMatch(/^ +\d+(\.\d)? (B|KiB|MiB|GiB) $/); // size
    expect(stdout).not.toContain('\x1b[');
    const tty = await devdb(['list', '--data-dir', dataDir], { isTTY: true });
    expect(tty.stdout).toContain('\x1b[1mdatabase\x1b[22m');
    const noColor = await devdb(['list', '--data-dir', dataDir], {
      isTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toContain('\x1b[');
  });

  it('finds the server through DEVDB_ADMIN_URL in the environment it is given', async () => {
    const adminUrl = (await devdb(['admin-url', '--data-dir', dataDir])).stdout.trim();
    const result = await devdb(['summary', '--data-dir', path.join(root, 'nowhere')], {
      env: { DEVDB_ADMIN_URL: adminUrl },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^databases +2$/m);
    expect(result.stdout).toMatch(/^total size +\d+(\.\d)? (B|KiB|MiB|GiB)$/m);
  });

  it('refuses to provision an attached workspace again unless --rotate, which re-keys it', async () => {
    const args = { type: 'individual', owner: 'dora', workspaceId: 'ws-dora-1', json: true };
    const first = JSON.parse((await devdb(provisionArgs(dataDir, args))).stdout);
    const again = await devdb(provisionArgs(dataDir, args));
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toBe(
      `devdb: workspace ws-dora-1 is already attached to dev_dora (login role ${first.user}); its password was shown when it was provisioned. --rotate issues a new password, and the old one stops working`,
    );
    expect(await canConnect(first.url, first.password)).toBe('dev_dora');

    const rotated = await devdb(provisionArgs(dataDir, { ...args, json: false, rotate: true }));
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^user +\S+ \(rotated: the old password no longer works\)$/m);
    const password = /^password +(\S+)$/m.exec(rotated.stdout)![1]!;
    expect(await canConnect(first.url, password)).toBe('dev_dora');
    await expect(canConnect(first.url, first.password)).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('of two concurrent provisions of one workspace, one attaches and the other refuses', async () => {
    const args = provisionArgs(dataDir, {
      type: 'team',
      owner: 'erin',
      team: 'race',
      workspaceId: 'ws-erin-1',
      json: true,
    });
    const results = await Promise.all([devdb(args), devdb(args)]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const winner = JSON.parse(results.find((r) => r.code === 0)!.stdout);
    expect(results.find((r) => r.code === 1)!.stderr).toContain('is already attached to team_race');
    expect(await canConnect(winner.url, winner.password)).toBe('team_race');
  });

  it('refuses bad input with what is allowed, creating nothing', async () => {
    const before = (await devdb(['list', '--data-dir', dataDir, '--json'])).stdout;
    const bad = await devdb(
      provisionArgs(dataDir, {
        type: 'team',
        owner: 'bob',
        team: "x'; DROP DATABASE devdb; --",
        workspaceId: 'ws-bad',
      }),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid team name');
    expect(bad.stderr).toContain('lowercase letters, digits and hyphens');
    expect(bad.stderr).not.toContain('    at ');
    const badType = await devdb(
      provisionArgs(dataDir, { type: 'shared', owner: 'bob', workspaceId: 'w' }),
    );
    expect(badType.code).not.toBe(0);
    expect(badType.stderr).toContain('Allowed choices are individual, team');
    expect((await devdb(['list', '--data-dir', dataDir, '--json'])).stdout).toBe(before);
  });

  it('names the server and what to check when it cannot be reached, without the password', async () => {
    const port = await findFreePort();
    const result = await devdb([
      'list',
      '--admin-url',
      `postgresql://devdb_provisioner:s3cret-pw@127.0.0.1:${port}/devdb`,
    ]);
    expect(result.code).toBe(1);
    // `devdb up` as it runs here: `devdb`, `npx devdb` or `node …/cli.js` (server/invocation.ts).
    expect(result.stderr.trim()).toMatch(
      new RegExp(
        `^devdb: cannot reach the DevDB server at 127\\.0\\.0\\.1:${port}/devdb: connection refused: is \`(devdb|npx devdb|node \\S+) up\` \\(or the PostgreSQL server\\) running\\?$`,
      ),
    );
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it('reports migrations as applied', async () => {
    const status = JSON.parse(
      (await devdb(['migrate', '--status', '--json', '--data-dir', dataDir])).stdout,
    );
    expect(status.length).toBeGreaterThan(0);
    expect(status.every((m: { state: string }) => m.state === 'applied')).toBe(true);
    const again = await devdb(['migrate', '--data-dir', dataDir]);
    expect(again.stdout.trim()).toBe('schema is up to date');
  });

  it('shows migration status as a table of both kinds', async () => {
    const { stdout } = await devdb(['migrate', '--status', '--data-dir', dataDir]);
    expect(stdout.split('\n')[1]).toMatch(/│ migration +│ kind +│ state +│ applied at +│/);
    expect(stdout).toMatch(/001_schema\.sql +│ numbered +│ applied/);
    expect(stdout).toMatch(/grants\.sql +│ repeatable +│ applied/);
  });

  it('says so when releasing a workspace that was never attached', async () => {
    const args = ['release', '--data-dir', dataDir, '--workspace-id', 'ws-never'];
    expect((await devdb(args)).stdout).toBe(
      'workspace ws-never was not attached to any database\n',
    );
    expect(JSON.parse((await devdb([...args, '--json'])).stdout)).toEqual({
      workspaceId: 'ws-never',
      detached: [],
    });
  });

  it('release drops the workspace credentials', async () => {
    const info = JSON.parse(
      (
        await devdb(
          provisionArgs(dataDir, {
            type: 'individual',
            owner: 'alice',
            workspaceId: 'ws-alice-2',
            json: true,
          }),
        )
      ).stdout,
    );
    expect(await canConnect(info.url, info.password)).toBe('dev_alice');
    const released = JSON.parse(
      (await devdb(['release', '--data-dir', dataDir, '--workspace-id', 'ws-alice-2', '--json']))
        .stdout,
    );
    expect(released.detached).toEqual([
      { name: 'dev_alice', user: info.user, sessionsTerminated: 0 },
    ]);
    await expect(canConnect(info.url, info.password)).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('survives 60 concurrent provision/release runs on shared databases', async () => {
    const attach = (i: number) =>
      devdb(
        provisionArgs(dataDir, {
          ...(i % 2
            ? { type: 'individual', owner: 'carol' }
            : { type: 'team', owner: `member-${i % 5}`, team: 'storm' }),
          workspaceId: `storm-${i}`,
          json: true,
        }),
      );
    // 30 attaches first, then 30 more attaches racing 30 releases of the first ones.
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => attach(i)));
    const second = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => attach(30 + i)),
      ...Array.from({ length: 30 }, (_, i) =>
        devdb(['release', '--data-dir', dataDir, '--workspace-id', `storm-${i}`, '--json']),
      ),
    ]);
    const failures = [...first, ...second].filter((r) => r.code !== 0);
    expect(failures.map((f) => f.stderr)).toEqual([]);
    const survivors = second.slice(0, 30).map((r) => JSON.parse(r.stdout));
    for (const info of survivors.slice(0, 6)) {
      expect(await canConnect(info.url, info.password)).toBe(info.name);
    }
    const released = first.slice(0, 2).map((r) => JSON.parse(r.stdout));
    for (const info of released) {
      await expect(canConnect(info.url, info.password)).rejects.toThrow(
        /password authentication failed/,
      );
    }
  });

  it('stops cleanly on SIGTERM and keeps the data across a restart', async () => {
    expect(await stopUp(up!, 'SIGTERM')).toBe(0);
    up = await startUp(dataDir);
    expect(up.output()).not.toContain('Initialising');
    const info = JSON.parse(
      (
        await devdb(
          provisionArgs(dataDir, {
            type: 'individual',
            owner: 'alice',
            workspaceId: 'ws-alice-1',
            json: true,
            rotate: true,
          }),
        )
      ).stdout,
    );
    const client = clientFor(info.url, info.password);
    await client.connect();
    try {
      const { rows } = await client.query('SELECT t FROM notes');
      expect(rows).toEqual([{ t: 'kept' }]);
    } finally {
      await client.end();
    }
    expect(await stopUp(up, 'SIGINT')).toBe(0);
  });
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('devdb up --listen beyond loopback', () => {
  const address = externalAddress();

  it.skipIf(!address)('admits clients on that address, with SCRAM passwords only', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'devdb-listen-'));
    await chmod(root, 0o755);
    const dataDir = path.join(root, 'data');
    const up = await startUp(dataDir, ['--listen', '0.0.0.0']);
    try {
      const hba = await readFile(path.join(dataDir, 'pgdata', 'pg_hba.conf'), 'utf8');
      // Clients from the network must use TLS (docs/security.md); the admin URL does.
      expect(hba).toContain('hostssl all all 0.0.0.0/0 scram-sha-256');
      expect(hba).not.toMatch(/^host all all 0\.0\.0\.0\/0/m);
      expect(hba).not.toMatch(/^\s*host\S*\s.*\btrust\b/m);
      const adminUrl = new URL((await devdb(['admin-url', '--data-dir', dataDir])).stdout.trim());
      adminUrl.hostname = address!;
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT host(inet_client_addr()) AS addr');
        expect(rows[0].addr).toBe(address);
      } finally {
        await client.end();
      }
      adminUrl.password = 'wrong';
      await expect(
        new pg.Client({ connectionString: adminUrl.toString() }).connect(),
      ).rejects.toThrow(/password authentication failed/);
    } finally {
      await stopUp(up);
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('devdb up in this process', () => {
  it('starts, and stops cleanly on the shutdown signal its IO delivers', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'devdb-up-io-'));
    await chmod(root, 0o755);
    const io = captureIO();
    const exit = buildProgram(io).run(['up', '--data-dir', path.join(root, 'data'), '--port', '0']);
    try {
      await Promise.race([io.untilStdout(/Press Ctrl-C to stop/), exit]);
      expect(io.stdoutText()).toMatch(/^DevDB is running: PostgreSQL 17 on 127\.0\.0\.1:\d+/);
      // The embedded PostgreSQL ships no pg_dump: the banner says which one backups use, or what to install.
      expect(io.stdoutText()).toMatch(
        /^(Backups: pg_dump \d+ \(\/.+\)|Backups cannot run here: no pg_dump\/pg_restore for PostgreSQL 17 .*install postgresql-client-17.*)$/m,
      );
    } finally {
      io.sendSignal('SIGTERM');
      expect(await exit).toBe(0);
      await rm(root, { recursive: true, force: true });
    }
    expect(io.stderrText()).toContain('doctor: nothing to fix\n');
    expect(io.stderrText()).toContain('SIGTERM received: stopping PostgreSQL');
    expect(io.stderrText()).toContain('DevDB stopped.');
  });
});

describe('the devdb executable', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));
    const result = await devdbProcess(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 on a usage error, with the error and one line pointing to --help', async () => {
    const result = await devdbProcess(['provision', '--typ', 'team', '--owner', 'bob']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "devdb: unknown option '--typ' (did you mean --type?)\nRun 'devdb provision --help' for usage.\n",
    );
  });
});
