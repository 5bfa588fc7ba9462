import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile } from '../../server/embedded/index.js';
import { processAlive, waitUntilGone } from '../../server/up-process.js';
import { runDevdb } from '../helpers/cli-io.js';
import { CLI, startUp, stopUp, tempDataDir, type TempDataDir } from '../helpers/up-process.js';

// Starting and stopping `devdb up` as a user does: through npm, from another
// shell (stop/status), and on a port someone else holds.

let temp: TempDataDir;
let root: string;
let dataDir: string;

beforeAll(async () => {
  temp = await tempDataDir('devdb-lifecycle-');
  ({ root, dataDir } = temp);
});

afterAll(() => temp.remove());

const status = async () =>
  JSON.parse((await runDevdb(['status', '--data-dir', dataDir, '--json'])).stdout);

const devdbUpPid = async () =>
  (JSON.parse(await readFile(path.join(dataDir, 'devdb.pid'), 'utf8')) as { pid: number }).pid;

describe('stopping npm start stops everything', () => {
  // The first script is what `npm start` ran before `exec`: npm signals only its
  // script's shell, so devdb up must notice that its parent is gone.
  it.each([
    ['a shell running devdb up', `node ${JSON.stringify(CLI)} up`],
    ['exec devdb up (as npm start does)', `exec node ${JSON.stringify(CLI)} up`],
  ])('kill -TERM of npm running %s', async (_, command) => {
    const app = await mkdtemp(path.join(root, 'app-'));
    const script = `${command} --data-dir ${JSON.stringify(dataDir)} --port 0`;
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { start: script } }),
    );
    const npm = spawn('npm', ['start'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('DevDB is running')) resolve();
      };
      npm.stdout.on('data', onData);
      npm.stderr.on('data', onData);
      npm.on('exit', (code) => reject(new Error(`npm exited (${code}):\n${output}`)));
    });
    const up = await devdbUpPid();
    const postmaster = (await readPidFile(path.join(dataDir, 'pgdata')))!.pid;
    expect(up).not.toBe(npm.pid);

    npm.kill('SIGTERM');
    const gone = async () => (await processAlive(up)) || (await processAlive(postmaster));
    expect(await waitUntilGone(gone, 30_000)).toBe(true);
    expect(await status()).toMatchObject({ running: false, pid: null });
  });
});

describe('devdb stop and devdb status', () => {
  it('shows a running devdb up, refuses a second one naming it, and stops it cleanly', async () => {
    const up = await startUp(dataDir); // the data dir the npm runs left: reusable
    expect(up.output()).toContain('doctor: nothing to fix\n');
    try {
      expect(await status()).toEqual({
        running: true,
        pid: up.child.pid,
        port: up.port,
        dataDir,
        postgresVersion: expect.stringMatching(/^17\./),
        databases: 0,
      });
      const table = await runDevdb(['status', '--data-dir', dataDir]);
      expect(table.stdout).toMatch(/^DevDB +running$/m);
      expect(table.stdout).toMatch(new RegExp(`^pid +${up.child.pid}$`, 'm'));

      const second = await runDevdb(['up', '--data-dir', dataDir, '--port', '0']);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `devdb: DevDB is already running on ${dataDir} (devdb up, pid ${up.child.pid}, port ${up.port}); stop it with: devdb stop --data-dir ${dataDir}\n`,
      );

      const exited = new Promise((resolve) => up.child.once('exit', resolve));
      const stop = await runDevdb(['stop', '--data-dir', dataDir]);
      expect(stop).toEqual({
        code: 0,
        stdout: `DevDB stopped (devdb up, pid ${up.child.pid}; data in ${dataDir})\n`,
        stderr: '',
      });
      expect(await exited).toBe(0);
      expect(up.output()).toContain('SIGTERM received: stopping PostgreSQL');
    } finally {
      await stopUp(up);
    }
    expect(await status()).toMatchObject({ running: false, pid: null, port: null });
    expect((await runDevdb(['stop', '--data-dir', dataDir])).stdout).toBe(
      `DevDB is not running on ${dataDir}\n`,
    );
  });

  it('says in one line that the port is taken and suggests --port, then the server log', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const result = await runDevdb(['up', '--data-dir', dataDir, '--port', String(port)]);
      expect(result.code).toBe(1);
      const lines = result.stderr.split('\n');
      const at = lines.findIndex((line) => line.startsWith('devdb: '));
      expect(lines[at]).toBe(
        `devdb: port ${port} is already in use: start with --port <n> (or --port 0 for any free port)`,
      );
      expect(lines.slice(at + 1).join('\n')).toMatch(/Address already in use/);
    } finally {
      blocker.close();
    }
    expect(await status()).toMatchObject({ running: false });
  });
});

describe('devdb up and the doctor', () => {
  /** One statement as the provisioner of the running devdb up. */
  async function asProvisioner(sql: string) {
    const adminUrl = (await runDevdb(['admin-url', '--data-dir', dataDir])).stdout.trim();
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('logs what the doctor finds at start, one line each, and fixes nothing', async () => {
    let up = await startUp(dataDir);
    try {
      await asProvisioner('CREATE ROLE dev_zed NOLOGIN'); // as if a crash followed
      await stopUp(up);
      up = await startUp(dataDir);
      expect(up.output()).toContain(
        'doctor: orphan owner role dev_zed: a database owner role with no database; --fix: remove: drop the role',
      );
      // `devdb`, `npx devdb` or `node …/cli.js`, as it runs here (test/server/hints-run.test.ts).
      expect(up.output()).toMatch(
        new RegExp(
          `doctor: run \`[^\`]+ doctor --fix --data-dir ${dataDir}\` to repair what it can\n`,
        ),
      );
      expect(
        await asProvisioner(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'dev_zed'`),
      ).toEqual([{ n: 1 }]);
    } finally {
      await stopUp(up);
    }
  });
});
