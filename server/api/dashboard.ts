/**
 * The admin dashboard's files (docs/api.md, "Dashboard"): `/` is the page,
 * `/assets/app.js` and `/assets/app.css` its code and style, bundled at build
 * time from server/dashboard/ by esbuild into dist/dashboard/
 * (scripts/build-assets.js). Nothing is loaded from elsewhere: it works
 * offline, and the Content-Security-Policy says so. The page itself needs no
 * token; everything it shows comes from the API after logging in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the build puts the bundle, relative to the package root. */
export const DASHBOARD_DIST = 'dist/dashboard';

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DevDB</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

/** The package root: the nearest folder above this module whose package.json is DevDB's. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (manifest.name === 'devdb') return dir;
    } catch {
      // no package.json here (or not JSON): look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function secured(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer');
}

export function dashboardRoutes(app: FastifyInstance, assetsDir?: string): void {
  const dir = assetsDir ?? path.join(packageRoot(), DASHBOARD_DIST);
  const notBuilt = `the dashboard is not built (no ${dir}): run npm run build`;

  app.get(
    '/',
    { schema: { hide: true }, config: { access: 'public' } },
    async (_request, reply) => {
      if (!existsSync(path.join(dir, 'app.js'))) {
        return reply.code(503).type('text/plain; charset=utf-8').send(notBuilt);
      }
      return secured(reply)
        .header('Cache-Control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(PAGE);
    },
  );

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true }, config: { access: 'public' } },
    async (request, reply) => {
      const type = ASSETS[request.params.file];
      if (!type) {
        return reply.code(404).send({
          error: { code: 'not_found', message: `no asset ${request.params.file}` },
        });
      }
      const body = await readFile(path.join(dir, request.params.file)).catch(() => null);
      if (!body) return reply.code(503).type('text/plain; charset=utf-8').send(notBuilt);
      return secured(reply).header('Cache-Control', 'no-cache').type(type).send(body);
    },
  );
}
