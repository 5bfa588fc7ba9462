/**
 * The dashboard as a user meets it: `devdb up` prints where it is and how to
 * get a token, serves the page and its assets from the build, and its live
 * feed answers with a token made by the real CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runDevdb } from '../../helpers/cli-io.js';
import { startUpInTempDir, untilOutput, type TempUp } from '../../helpers/up-process.js';

describe('the dashboard in devdb up', () => {
  let up: TempUp;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    up = await startUpInTempDir('devdb-dashboard-'); // DEVDB_API_LISTEN=127.0.0.1:0 (vitest.config.ts)
    dataDir = up.dataDir;
    url = (await untilOutput(up, /Dashboard and REST API: (http:\/\/\S+)\//))[1]!;
  });

  afterAll(async () => {
    await up?.stop();
  });

  it('prints the dashboard URL and how to make a token', () => {
    expect(up.output()).toContain(`control plane listening on ${url}`);
    // `devdb`, `npx devdb` or `node …/cli.js`, as it runs here (test/server/hints-run.test.ts).
    expect(up.output()).toMatch(
      new RegExp(
        `log in with a token: .*\\S token create --name me --role admin --data-dir ${dataDir}\n`,
      ),
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
