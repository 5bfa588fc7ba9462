/**
 * The dashboard as a user meets it: `devdb up` prints where it is and how to
 * get a token, serves the page and its assets from the build, and its live
 * feed answers with a token made by the real CLI.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runDevdb } from '../../helpers/cli-io.js';
import { startUp, stopUp, type UpProcess } from '../../helpers/up-process.js';

describe('the dashboard in devdb up', () => {
  let root: string;
  let dataDir: string;
  let up: UpProcess;
  let url: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'devdb-dashboard-'));
    await chmod(root, 0o755); // as root, PostgreSQL runs unprivileged and must enter it
    dataDir = path.join(root, 'data');
    up = await startUp(dataDir); // DEVDB_API_LISTEN=127.0.0.1:0 (vitest.config.ts)
    const deadline = Date.now() + 30_000;
    let match: RegExpExecArray | null = null;
    while (!(match = /Dashboard and REST API: (http:\/\/\S+)\//.exec(up.output()))) {
      if (Date.now() > deadline) throw new Error(`no dashboard line:\n${up.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    url = match[1]!;
  });

  afterAll(async () => {
    if (up) await stopUp(up);
    await rm(root, { recursive: true, force: true });
  });

  it('prints the dashboard URL and how to make a token', () => {
    expect(up.output()).toContain(`control plane listening on ${url}`);
    expect(up.output()).toContain(
      `log in with a token: npx devdb token create --name me --role admin --data-dir ${JSON.stringify(dataDir)}`,
    );
  });

  it('serves the page and its assets, with a same-origin-only policy', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('/assets/app.js');
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    const script = await fetch(`${url}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${url}/assets/app.css`)).status).toBe(200);
    expect((await fetch(`${url}/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/assets/secrets.json`)).status).toBe(404);
  });

  it('sends live snapshots to a token made by the CLI, which is never printed', async () => {
    const created = await runDevdb([
      'token',
      'create',
      '--name',
      'me',
      '--role',
      'admin',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/live`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const message = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    socket.close();
    expect(JSON.parse(message)).toMatchObject({ type: 'snapshot', summary: { databases: 0 } });
    expect(up.output()).not.toContain(token);
  });
});
