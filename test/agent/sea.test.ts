// devdb-agent as a single executable (scripts/build-agent-sea.js): built once here from
// the agent bundle, then run with a PATH that has no node at all — help, version, and a
// real `start` against a throwaway DevDB.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fileMode, workspaceEnv, workspaceSuite, type Env } from './agent.js';

const run = promisify(execFile);
const SEA = path.resolve('dist/agent-sea/devdb-agent');
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** A PATH of one empty directory: no node, no shell tools. */
let emptyPath: string;
const suite = workspaceSuite('sea-alice');

beforeAll(async () => {
  emptyPath = await mkdtemp(path.join(tmpdir(), 'devdb-sea-path-'));
  // Copying and injecting into a ~90 MiB binary takes 10–20 s on two busy cores.
  await run(process.execPath, ['scripts/build-agent-sea.js'], { timeout: 240_000 });
}, 300_000);
afterAll(() => rm(emptyPath, { recursive: true, force: true }));

async function sea(args: string[], env: Env) {
  try {
    const { stdout, stderr } = await run(SEA, args, { env, timeout: 60_000, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('the build writes an executable and its sha256', async () => {
  expect((await stat(SEA)).mode & 0o111).toBe(0o111);
  const digest = await readFile(`${SEA}.sha256`, 'utf8');
  expect(digest).toMatch(/^[0-9a-f]{64} {2}devdb-agent\n$/);
});

test('--help and --version work with no node on the PATH', async () => {
  expect(existsSync(path.join(emptyPath, 'node'))).toBe(false);
  const env = { PATH: emptyPath, HOME: emptyPath };
  const help = await sea(['--help'], env);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  expect(help.stdout).toMatch(/^usage: devdb-agent <command>/);
  const version = await sea(['--version'], env);
  expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  // No "ExperimentalWarning: Single executable application…" on stderr either.
  const unknown = await sea(['nonsense'], env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command "nonsense"/);
});

test('start connects to a real DevDB and writes ~/.pgpass, with no node on the PATH', async () => {
  const env = { ...workspaceEnv(suite.creds, suite.home), PATH: emptyPath };
  const started = await sea(['start', '--timeout', '30'], env);
  expect(started.code, started.stderr).toBe(0);
  expect(started.stdout + started.stderr).toMatch(/connected to dev_sea_alice as /);
  expect(await fileMode(path.join(suite.home, '.pgpass'))).toBe(0o600);
  const pgpass = await readFile(path.join(suite.home, '.pgpass'), 'utf8');
  expect(pgpass.includes(`:*:${suite.creds.user}:`)).toBe(true);
  const status = await sea(['status'], env);
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^dev_sea_alice · /);
});
