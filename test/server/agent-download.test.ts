import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from '../../templates/synth.js';
import { startUpInTempDir, untilOutput, type TempUp } from '../helpers/up-process.js';

// devdb-agent from the DevDB server (docs/api.md, "The agent"): a real `devdb up`
// serves it over real HTTP, without a token, with its sha256; the template's own
// start script (synthesized, run by sh as Coder runs it) installs it only when
// the sha256 matches.

const BUNDLE = path.resolve('dist/agent-bundle/devdb-agent');
const VERSION = (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let up: TempUp;
let url: string;
let dir: string;
let bundle: Buffer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let template: any;

beforeAll(async () => {
  up = await startUpInTempDir('devdb-agent-download-'); // DEVDB_API_LISTEN=127.0.0.1:0
  url = (await untilOutput(up, /control plane listening on (http:\/\/\S+)/))[1]!;
  dir = await mkdtemp(path.join(tmpdir(), 'devdb-agent-download-'));
  bundle = await readFile(BUNDLE);
  template = JSON.parse(await readFile(await synthTemplate(path.join(dir, 'template')), 'utf8'));
});
afterAll(async () => {
  await up?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GET /api/v1/agent', () => {
  it('lists what this server serves, by platform, with each sha256; no token needed', async () => {
    const response = await fetch(`${url}/api/v1/agent`);
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'devdb-agent',
      version: VERSION,
      artifacts: expect.arrayContaining([
        {
          platform: 'node',
          description: expect.stringContaining('Node.js'),
          url: `/api/v1/agent/${VERSION}/node`,
          sha256: sha256(bundle),
          bytes: bundle.length,
        },
      ]),
    });
    // The single executable is served once built (npm run build:agent-sea), else said so.
    const platforms = [
      ...(manifest.artifacts as { platform: string }[]),
      ...(manifest.notBuilt as { platform: string }[]),
    ].map((a) => a.platform);
    expect(platforms.sort()).toEqual(['linux-x64', 'node']);
    for (const missing of manifest.notBuilt as { platform: string; detail: string }[]) {
      expect(missing.detail).toMatch(/is not built on this server .*npm run build:agent-sea/);
    }
    // The rest of the API still wants a token.
    expect((await fetch(`${url}/api/v1/databases`)).status).toBe(401);
  });

  it('serves the file by version (or `current`) and platform, its sha256 beside it', async () => {
    for (const version of [VERSION, 'current']) {
      const response = await fetch(`${url}/api/v1/agent/${version}/node`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('x-checksum-sha256')).toBe(sha256(bundle));
      const body = Buffer.from(await response.arrayBuffer());
      expect(sha256(body)).toBe(sha256(bundle));
      const sum = await fetch(`${url}/api/v1/agent/${version}/node/sha256`);
      expect(await sum.text()).toBe(`${sha256(bundle)}  devdb-agent\n`);
    }
  });

  it('answers another version or an unknown platform with what it serves', async () => {
    const other = await fetch(`${url}/api/v1/agent/0.0.1/node`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({
      error: {
        code: 'not_found',
        message: `this DevDB server is version ${VERSION} and serves devdb-agent ${VERSION} only (not 0.0.1): GET /api/v1/agent lists what it serves`,
      },
    });
    const platform = await fetch(`${url}/api/v1/agent/current/windows-arm64`);
    expect(platform.status).toBe(404);
    expect(await platform.json()).toEqual({
      error: {
        code: 'not_found',
        message:
          'devdb-agent has no platform windows-arm64: node (the bundle, for images with Node.js) or linux-x64 (the single executable)',
      },
    });
  });
});

/** The template's start script as the shell gets it (Terraform's `$${` is `${`). */
function startScript(): string {
  const scripts = Object.values(template.resource.coder_script) as { script: string }[];
  return scripts
    .map((s) => s.script.replaceAll('$${', '${'))
    .find((s) => s.includes('devdb-agent start'))!;
}

/** Runs the start script with a fresh (or given) HOME, as Coder would, with node on the PATH. */
async function runStart(env: Record<string, string>, home?: string) {
  home ??= await mkdtemp(path.join(dir, 'home-'));
  const shellEnv = { HOME: home, PATH: process.env.PATH!, ...env };
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile('sh', ['-c', startScript()], { env: shellEnv, encoding: 'utf8' }, (error, out, err) =>
      resolve({ code: error ? Number(error.code) : 0, output: out + err }),
    );
  });
  const installed = await readFile(path.join(home, '.local', 'bin', 'devdb-agent')).catch(
    () => null,
  );
  return { ...result, home, installed };
}

/** A man in the middle: the control plane's answers, with one byte of the agent changed. */
async function tamperingProxy(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      const upstream = await fetch(`${url}${request.url}`);
      const body = Buffer.from(await upstream.arrayBuffer());
      const at = body.length - 2;
      if (!request.url!.endsWith('/sha256') && at >= 0)
        body.writeUInt8(body.readUInt8(at) ^ 0x20, at);
      response.writeHead(upstream.status, { 'content-type': 'application/octet-stream' });
      response.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe("the template's agent download", () => {
  it('defaults to the control plane and passes the URLs and pinned sums to the agent', () => {
    const variables = template.variable;
    expect(variables.devdb_agent_url.default).toBe(
      'http://host.docker.internal:7432/api/v1/agent/current/node',
    );
    expect(variables.devdb_agent_sea_url.default).toBe(
      'http://host.docker.internal:7432/api/v1/agent/current/linux-x64',
    );
    expect(template.resource.coder_agent.main.env).toMatchObject({
      DEVDB_AGENT_URL: '${var.devdb_agent_url}',
      DEVDB_AGENT_SEA_URL: '${var.devdb_agent_sea_url}',
      DEVDB_AGENT_SHA256: '${var.devdb_agent_sha256}',
      DEVDB_AGENT_SEA_SHA256: '${var.devdb_agent_sea_sha256}',
    });
  });

  it('installs the agent from the server when its sha256 matches, and runs it', async () => {
    const agentUrl = `${url}/api/v1/agent/current/node`;
    const first = await runStart({ DEVDB_AGENT_URL: agentUrl });
    // The agent itself answers (exit 2: this shell has no DEVDB_*), so it was installed and runs.
    expect(first.code, first.output).toBe(2);
    expect(first.output).toContain(
      'devdb-agent: DEVDB_HOST, DEVDB_PORT, DEVDB_NAME, DEVDB_USER not set',
    );
    expect(first.installed && sha256(first.installed)).toBe(sha256(bundle));
    // The next start with the server down keeps it, and says so.
    const again = await runStart({ DEVDB_AGENT_URL: 'http://127.0.0.1:9/none' }, first.home);
    expect(again.code, again.output).toBe(2);
    expect(again.output).toContain(
      'devdb-agent: cannot fetch http://127.0.0.1:9/none/sha256: keeping the devdb-agent installed',
    );
  });

  it('refuses a download whose sha256 is not the server’s, with a clear message', async () => {
    const proxy = await tamperingProxy();
    try {
      const agentUrl = `${proxy.url}/api/v1/agent/current/node`;
      const run = await runStart({ DEVDB_AGENT_URL: agentUrl });
      expect(run.code).toBe(1);
      const got = sha256(
        Buffer.from(await (await fetch(agentUrl)).arrayBuffer()), // what the proxy serves
      );
      expect(run.output).toBe(
        `devdb-agent: refused the download from ${agentUrl}: its sha256 is ${got}, expected ${sha256(bundle)}; nothing installed\n`,
      );
      expect(run.installed).toBeNull();
      expect(
        await readFile(path.join(run.home, '.local', 'bin', 'devdb-agent.part')).catch(() => null),
      ).toBeNull();
    } finally {
      proxy.server.close();
    }
  });

  it('checks against a pinned sha256 when the admin sets one', async () => {
    const agentUrl = `${url}/api/v1/agent/current/node`;
    const wrong = '0'.repeat(64);
    const refused = await runStart({ DEVDB_AGENT_URL: agentUrl, DEVDB_AGENT_SHA256: wrong });
    expect(refused.code).toBe(1);
    expect(refused.output).toBe(
      `devdb-agent: refused the download from ${agentUrl}: its sha256 is ${sha256(bundle)}, expected ${wrong}; nothing installed\n`,
    );
    const home = await mkdtemp(path.join(dir, 'home-'));
    await mkdir(path.join(home, '.local', 'bin'), { recursive: true });
    const pinned = await runStart(
      { DEVDB_AGENT_URL: agentUrl, DEVDB_AGENT_SHA256: sha256(bundle) },
      home,
    );
    expect(pinned.code, pinned.output).toBe(2);
    expect(pinned.installed && sha256(pinned.installed)).toBe(sha256(bundle));
  });
});
