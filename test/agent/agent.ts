/**
 * Runs the BUILT devdb-agent bundle as a child process, the way a coder_script
 * does: a clean environment (PATH, HOME in a temp dir, the DEVDB_* variables),
 * nothing inherited from the test runner. Every output is kept so a suite can
 * check the password never appeared in any of them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverMajor } from '../../agent/doctor/clients.js';
import { attachWorkspace, type Attachment } from '../../provisioning/index.js';
import { afterAll, beforeAll } from 'vitest';
import { startTestDevDb, type TestDevDb } from '../helpers/devdb.js';

export const AGENT = path.resolve('dist/agent-bundle/devdb-agent');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Every stdout/stderr the agent produced in this test file. */
export const outputs: string[] = [];

export type Env = Record<string, string | undefined>;

export function runAgent(args: string[], env: Env, timeoutMs = 30_000): Promise<Run> {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run \`npm run build\` first`);
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      AGENT,
      args,
      { env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}

/** A fresh home directory; removed by the returned cleanup. */
export async function tempHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(tmpdir(), 'devdb-agent-home-'));
  await chmod(home, 0o700);
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** What Terraform puts in the workspace: DEVDB_* from the attachment, and DEVDB_PASSWORD. */
export function workspaceEnv(creds: Attachment, home: string): Env {
  return { HOME: home, ...creds.env, DEVDB_PASSWORD: creds.password };
}

let counter = 0;

/**
 * Attaches a workspace of `owner` to their individual database: a new one, or
 * `workspaceId` again (which gives it a new password).
 */
export function attach(devdb: TestDevDb, owner: string, workspaceId?: string): Promise<Attachment> {
  counter++;
  return attachWorkspace(devdb.pool, devdb.endpoint, {
    type: 'individual',
    owner,
    workspaceId: workspaceId ?? `ws-${owner}-${counter}`,
    workspaceName: `ws${counter}`,
  });
}

export const fileMode = async (file: string) => (await stat(file)).mode & 0o777;

export interface WorkspaceSuite {
  devdb: TestDevDb;
  /** The workspace's credentials, as attachWorkspace returned them. */
  creds: Attachment;
  /** The workspace user's home directory (a temp dir). */
  home: string;
}

/**
 * Registers beforeAll/afterAll for a test file: a throwaway DevDB, one
 * workspace of `owner` attached to it, and an empty home directory.
 */
export function workspaceSuite(owner: string, workspaceId?: string): WorkspaceSuite {
  const suite = {} as WorkspaceSuite;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    suite.devdb = await startTestDevDb();
    suite.creds = await attach(suite.devdb, owner, workspaceId);
    const h = await tempHome();
    suite.home = h.home;
    cleanup = h.cleanup;
  });
  afterAll(async () => {
    await cleanup?.();
    await suite.devdb?.stop();
  });
  return suite;
}

/**
 * A PATH directory holding `node` and, for each entry, a stand-in CLI whose
 * `--version` prints what the real client prints for that version (e.g.
 * `pg_dump (PostgreSQL) 17.6`): doctor only asks the clients their version.
 */
export async function binDir(dir: string, versions: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await symlink(process.execPath, path.join(dir, 'node'));
  for (const [client, version] of Object.entries(versions)) {
    const script = `#!/bin/sh\necho '${client} (PostgreSQL) ${version}'\n`;
    await writeFile(path.join(dir, client), script, { mode: 0o755 });
  }
  return dir;
}

/**
 * A PATH whose psql and pg_dump report the server's major, as in a workspace
 * image with the right postgresql-client: doctor has no client to complain about.
 */
export async function matchingClientsPath(devdb: TestDevDb, dir: string): Promise<string> {
  const major = `${await serverMajorOf(devdb)}.0`;
  const bin = await binDir(dir, { psql: major, pg_dump: major });
  return `${bin}:${process.env.PATH}`;
}

/** The tests' server major version (17 embedded), as doctor computes it. */
export async function serverMajorOf(devdb: TestDevDb): Promise<number> {
  const { rows } = await devdb.pool.query<{ v: number }>(
    `SELECT current_setting('server_version_num')::int AS v`,
  );
  return serverMajor(rows[0]!.v);
}
