/**
 * Every command `devdb up` prints for a person runs as printed (server/invocation.ts):
 * its banner's admin-url, token and stop lines, run literally through `sh -c` from a
 * shell like the one it was started in — a clone started with `npm start`, a `devdb`
 * on the PATH (as `npm install -g` or `npm link` put it there), and plain `node`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDevdb } from '../helpers/cli-io.js';
import { CLI } from '../helpers/up-process.js';

let root: string;
const dataDirs: string[] = [];
/** A shell's environment: none of what npm sets for the scripts it runs. */
let shellEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'devdb-hints-'));
  await chmod(root, 0o755); // as root, PostgreSQL runs unprivileged and must enter it
  shellEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'),
  );
  shellEnv.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !/node_modules\/\.bin|node-gyp-bin/.test(dir))
    .join(':');
  // npx keeps what it runs in its cache: a private one, not the machine's.
  shellEnv.npm_config_cache = path.join(root, 'npm-cache');
});

afterAll(async () => {
  for (const dataDir of dataDirs) await runDevdb(['stop', '--data-dir', dataDir]);
  await rm(root, { recursive: true, force: true });
});

/** A data dir of its own for each start: the token hint makes the token `me`. */
function newDataDir(): string {
  dataDirs.push(path.join(root, `data-${dataDirs.length}`));
  return dataDirs.at(-1)!;
}

interface Started {
  child: ChildProcess;
  banner: Promise<string>;
}

/** Starts `sh -c command` and resolves the banner once it says how to stop it. */
function start(command: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const banner = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/from another shell:\n {2}\S.*\n/.test(output)) resolve(output);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited (${code}):\n${output}`)));
  });
  return { child, banner };
}

/** A command of the banner: the text after `prefix` on its line. */
function printed(banner: string, prefix: RegExp): string {
  const match = new RegExp(`${prefix.source}(.+)$`, 'm').exec(banner);
  if (!match) throw new Error(`no ${prefix} in:\n${banner}`);
  return match[1]!;
}

function sh(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the banner's admin-url, token and stop commands as printed, where a person
 * would: the same folder, their shell's environment. Returns the invocation they use.
 */
async function runHints(up: Started, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const banner = await up.banner;
  const exportLine = printed(banner, /^ {2}(?=export DEVDB_ADMIN_URL=)/);
  const url = await sh(`${exportLine} && printf '%s' "$DEVDB_ADMIN_URL"`, cwd, env);
  expect(url.stdout, url.stderr).toMatch(/^postgresql:\/\/devdb_provisioner:[^*@]+@/);

  const token = await sh(printed(banner, /^ {2}log in with a token: /), cwd, env);
  expect(token.code, token.stderr).toBe(0);
  expect(token.stdout).toMatch(/^token +\S{20,}$/m);

  const stopLine = printed(banner, /from another shell:\n {2}/);
  const exited = new Promise((resolve) => up.child.once('exit', resolve));
  const stop = await sh(stopLine, cwd, env);
  expect(stop.code, stop.stderr).toBe(0);
  expect(stop.stdout).toMatch(/^DevDB stopped/);
  expect(await exited).toBe(0);
  return stopLine.slice(0, stopLine.indexOf(' stop --data-dir'));
}

describe("devdb up's printed commands run as printed", () => {
  it('in a clone started with npm start: npx devdb, from the clone', async () => {
    // A clone of DevDB as npm sees it (its own bin), with the built dist.
    const clone = path.join(root, 'clone');
    await mkdir(clone);
    await symlink(path.dirname(path.dirname(CLI)), path.join(clone, 'dist'));
    const up = `exec node dist/server/cli.js up --data-dir ${newDataDir()} --port 0`;
    await writeFile(
      path.join(clone, 'package.json'),
      JSON.stringify({
        name: 'devdb',
        version: '0.1.0',
        private: true,
        bin: { devdb: 'dist/server/cli.js' },
        scripts: { start: up },
      }),
    );
    const started = start('exec npm start', clone, shellEnv);
    expect(await runHints(started, clone, shellEnv)).toBe('npx devdb');
  });

  it('with devdb on the PATH (npm install -g, npm link): devdb, from anywhere', async () => {
    const bin = path.join(root, 'bin');
    await mkdir(bin);
    await symlink(CLI, path.join(bin, 'devdb'));
    const env = { ...shellEnv, PATH: `${bin}:${shellEnv.PATH}` };
    const started = start(`exec devdb up --data-dir ${newDataDir()} --port 0`, root, env);
    expect(await runHints(started, tmpdir(), env)).toBe('devdb');
  });

  it('started with node, devdb nowhere on the PATH: node and the absolute path', async () => {
    const command = `exec node ${CLI} up --data-dir ${newDataDir()} --port 0`;
    const started = start(command, root, shellEnv);
    expect(await runHints(started, tmpdir(), shellEnv)).toBe(`node ${CLI}`);
  });
});
