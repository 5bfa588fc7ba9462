import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateTools } from '../../provisioning/backups/index.js';
import { debianServers } from '../../server/pg-bin-dir.js';
import { runDevdb } from '../helpers/cli-io.js';
import { startUp, stopUp, tempDataDir, type TempDataDir } from '../helpers/up-process.js';

// `devdb up --pg-bin-dir DIR` (docs/backups.md, "Running DevDB on the machine's
// PostgreSQL"): a real `devdb up` on Debian's postgresql-N, for real, and the hint
// an embedded start prints when no pg_dump can back it up, run as printed.

/** Debian's server package here (Debian 12: postgresql-15); none fails the suite with what to install. */
async function debianServer(): Promise<{ major: number; dir: string }> {
  const found = (await debianServers())[0];
  if (!found) {
    throw new Error(
      'these tests need a Debian PostgreSQL server package with its pg_dump: apt-get install postgresql-15 (Debian 12) or postgresql-17 (Debian 13)',
    );
  }
  return found;
}

let temp: TempDataDir;
let server: { major: number; dir: string };

beforeAll(async () => {
  server = await debianServer();
  temp = await tempDataDir('devdb-pg-bin-dir-');
});
afterAll(async () => {
  // the one --pg-bin-dir made and the fresh one of the hint's command, then the temp dir
  await runDevdb(['stop', '--data-dir', path.join(temp.root, 'chosen')]);
  await runDevdb(['stop', '--data-dir', `${temp.dataDir}-pg${server.major}`]);
  await temp?.remove();
});

describe('devdb up --pg-bin-dir', () => {
  it('refuses a directory without a server, saying what is missing and what to pass', async () => {
    const up = (dir: string) =>
      runDevdb(['up', '--data-dir', path.join(temp.root, 'never'), '--pg-bin-dir', dir]);
    const missing = await up('/nonexistent/bin');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'devdb: --pg-bin-dir /nonexistent/bin: no such directory; pass the bin directory of a PostgreSQL 15–18 server installation, e.g. /usr/lib/postgresql/15/bin (Debian: apt-get install postgresql-15)\n',
    );
    // A client package's directory: pg_dump without a server.
    const client = path.dirname((await candidateTools())[0]!.pgDump);
    const clientOnly = await up(client);
    expect(clientOnly.code).toBe(1);
    expect(clientOnly.stderr).toMatch(
      /^devdb: --pg-bin-dir \S+: no (initdb and no postgres|initdb|postgres) there \(it holds client programs only: that is a client package, e.g. postgresql-client-15\); DevDB needs the server's initdb and postgres: pass the bin directory of a PostgreSQL 15–18 server installation/,
    );
    expect(clientOnly.stdout).toBe('');
  });

  it('runs that server, names its version everywhere, backs up with its pg_dump, and keeps the choice', async () => {
    const dataDir = path.join(temp.root, 'chosen');
    let up = await startUp(dataDir, ['--pg-bin-dir', server.dir]);
    const major = `PostgreSQL ${server.major}`;
    try {
      const banner = up.output();
      expect(banner).toContain(`Initialising ${major} in ${dataDir}/pgdata`);
      expect(banner).toMatch(
        new RegExp(`^DevDB is running: ${major} on 127\\.0\\.0\\.1:\\d+ `, 'm'),
      );
      expect(banner).toContain(
        `PostgreSQL binaries: ${server.dir} (--pg-bin-dir; kept in ${dataDir}/postgres.json for the next start)\n`,
      );
      expect(banner).toContain(`Backups: pg_dump ${server.major} (${server.dir}/pg_dump)\n`);
      expect(JSON.parse(await readFile(path.join(dataDir, 'postgres.json'), 'utf8'))).toEqual({
        binDir: server.dir,
        major: server.major,
      });

      const status = JSON.parse(
        (await runDevdb(['status', '--data-dir', dataDir, '--json'])).stdout,
      );
      expect(status.postgresVersion).toMatch(new RegExp(`^${server.major}\\.`));
      const servers = await runDevdb(['servers', 'list', '--data-dir', dataDir, '--json']);
      expect(JSON.parse(servers.stdout)).toEqual([
        expect.objectContaining({ majorVersion: server.major }),
      ]);
      const env = { PATH: process.env.PATH, DEVDB_BACKUP_DIR: path.join(temp.root, 'backups') };
      const doctor = await runDevdb(['doctor', '--data-dir', dataDir], { env });
      expect(doctor.stderr).not.toMatch(/backups cannot run/);

      // A backup, for real, with that pg_dump.
      expect((await runDevdb(['create-team', 'pgbin', '--data-dir', dataDir])).code).toBe(0);
      const backup = await runDevdb(['backup', 'team_pgbin', '--data-dir', dataDir], { env });
      expect(backup.stderr).not.toMatch(/cannot|failed/);
      expect(backup.code).toBe(0);
    } finally {
      await stopUp(up);
    }

    // Restarted without the flag: the same server, from the record.
    up = await startUp(dataDir);
    try {
      expect(up.output()).toMatch(new RegExp(`^DevDB is running: ${major} on `, 'm'));
      expect(up.output()).toContain(
        `PostgreSQL binaries: ${server.dir} (recorded in ${dataDir}/postgres.json)\n`,
      );
    } finally {
      await stopUp(up);
    }

    // The embedded 17 cannot run this cluster: refused before anything starts.
    const embedded = await runDevdb(['up', '--data-dir', dataDir, '--pg-bin-dir', 'embedded']);
    expect(embedded.code).toBe(1);
    expect(embedded.stderr).toBe(
      `devdb: ${dataDir}/pgdata holds a ${major} cluster and the embedded server is PostgreSQL 17, which cannot run it: start with --pg-bin-dir ${server.dir} (installed here). To move to PostgreSQL 17, start it on a fresh --data-dir and move the databases with devdb backup and devdb restore.\n`,
    );
  });
});

describe('devdb up on the embedded PostgreSQL 17', () => {
  it('says when no pg_dump can back it up, and prints the command that runs Debian’s server instead', async () => {
    const fits = (await candidateTools()).some((tools) => tools.major >= 17);
    const up = await startUp(temp.dataDir);
    let printed: string | undefined;
    try {
      const banner = up.output();
      expect(banner).toMatch(/^DevDB is running: PostgreSQL 17 on /m);
      expect(banner).not.toContain('PostgreSQL binaries:');
      if (fits) {
        // A machine with a pg_dump 17 (Debian 13): nothing to suggest.
        expect(banner).toMatch(/^Backups: pg_dump \d+ /m);
        return;
      }
      expect(banner).toMatch(
        /^Backups cannot run here: no pg_dump\/pg_restore for PostgreSQL 17 or newer/m,
      );
      const fresh = `${temp.dataDir}-pg${server.major}`;
      const hint = new RegExp(
        `^Debian's PostgreSQL ${server.major} is installed \\(${server.dir}\\), with a pg_dump that backs up a server it runs\\. A data dir PostgreSQL 17 initialised cannot be run by ${server.major}, so run DevDB on it with a fresh data dir \\(stop this one first; its databases stay in ${temp.dataDir}\\):\\n  (.+)$`,
        'm',
      );
      printed = hint.exec(banner)?.[1];
      // In the form that runs where it was printed (server/invocation.ts): under
      // vitest, started by npm in this clone, that is `npx devdb`.
      expect(printed).toMatch(
        new RegExp(
          `^(npx devdb|devdb|node \\S+/cli\\.js) up --data-dir ${fresh} --pg-bin-dir ${server.dir}$`,
        ),
      );
    } finally {
      await stopUp(up);
    }
    // Run as printed (on any free port, no control plane: other suites share the machine).
    const child = execFile('sh', ['-c', `exec ${printed} --port 0 --api-listen off`]);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect
        .poll(() => output, { timeout: 150_000, interval: 200 })
        .toMatch(new RegExp(`^DevDB is running: PostgreSQL ${server.major} on `, 'm'));
      expect(output).toContain(`Backups: pg_dump ${server.major} `);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 300_000);
});
