/**
 * devdb-agent from the DevDB server itself (docs/api.md, "The agent"), as Coder's
 * agent comes from Coder: workspaces download the agent of this DevDB's version by
 * platform, with its sha256, and templates point `devdb_agent_url` here.
 *
 * - `node`: the bundle (dist/agent-bundle/devdb-agent, `npm run build`), one
 *   JavaScript file for images with Node.js 20+.
 * - `linux-x64`: the single executable (dist/agent-sea/devdb-agent, `npm run
 *   build:agent-sea`), for images without Node.js; served when it was built.
 *
 * Public (docs/security.md, "The agent download"): a workspace has no API token
 * and must not get one; the files are the agent's code, no secret, the same as in
 * the npm package, and serving them reads no database.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { packageRoot, PROVIDER_VERSION } from '../../../provider/devdb/package-layout.js';
import type { ControlPlaneOptions } from '../context.js';
import { ApiError } from '../errors.js';
import { object, stringEnum, withErrors } from '../schemas.js';

export const AGENT_PLATFORMS = ['node', 'linux-x64'] as const;
/** The version word that always means this server's own (templates' default URLs use it). */
export const CURRENT = 'current';
export type AgentPlatform = (typeof AGENT_PLATFORMS)[number];

/** Where each platform's file is under dist/, and what it is. */
const ARTIFACTS: Record<AgentPlatform, { file: string; description: string; build: string }> = {
  node: {
    file: path.join('agent-bundle', 'devdb-agent'),
    description: 'the bundle: one JavaScript file; the workspace image needs Node.js 20 or newer',
    build: '`npm run build`',
  },
  'linux-x64': {
    file: path.join('agent-sea', 'devdb-agent'),
    description: 'the single executable: needs no Node.js (glibc, x86-64)',
    build: '`npm run build:agent-sea` in a clone of DevDB (the npm package does not ship it)',
  },
};

/** The download route of one platform, as the manifest and templates name it. */
export const agentPath = (version: string, platform: AgentPlatform) =>
  `/api/v1/agent/${version}/${platform}`;

interface Digest {
  size: number;
  mtimeMs: number;
  sha256: Promise<string>;
}

/** Each file's sha256, computed once per size and modification time (the SEA is ~83 MiB). */
class Digests {
  private readonly known = new Map<string, Digest>();

  async of(file: string): Promise<{ bytes: number; sha256: string } | null> {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    let digest = this.known.get(file);
    if (!digest || digest.size !== info.size || digest.mtimeMs !== info.mtimeMs) {
      const sha256 = new Promise<string>((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(file)
          .on('data', (chunk) => hash.update(chunk))
          .on('error', reject)
          .on('end', () => resolve(hash.digest('hex')));
      });
      digest = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
      this.known.set(file, digest);
      sha256.catch(() => this.known.get(file) === digest && this.known.delete(file));
    }
    return { bytes: info.size, sha256: await digest.sha256 };
  }
}

const platformParams = object({
  version: Type.String({
    description: `the DevDB version; this server serves its own only, which \`${CURRENT}\` also names`,
  }),
  platform: Type.String({
    description: '`node` (the bundle) or `linux-x64` (the single executable)',
  }),
});

const isPlatform = (platform: string): platform is AgentPlatform =>
  (AGENT_PLATFORMS as readonly string[]).includes(platform);

const artifact = object({
  platform: stringEnum(AGENT_PLATFORMS),
  description: Type.String(),
  url: Type.String({ description: 'path of the download on this server' }),
  sha256: Type.String({ description: 'hex digest of the file' }),
  bytes: Type.Integer(),
});

const manifest = object({
  name: Type.Literal('devdb-agent'),
  version: Type.String({ description: "this DevDB's version: the agent served is that one" }),
  artifacts: Type.Array(artifact),
  notBuilt: Type.Array(object({ platform: stringEnum(AGENT_PLATFORMS), detail: Type.String() }), {
    description: 'platforms this server has no file for, and how to build one',
  }),
});

export function agentRoutes(server: FastifyInstance, options: ControlPlaneOptions): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const dist = options.agentDistDir ?? path.join(packageRoot(), 'dist');
  const version = PROVIDER_VERSION;
  const digests = new Digests();
  const fileOf = (platform: AgentPlatform) => path.join(dist, ARTIFACTS[platform].file);
  const notBuilt = (platform: AgentPlatform) =>
    `devdb-agent for ${platform} is not built on this server (${fileOf(platform)}): build it with ${ARTIFACTS[platform].build}, or use ${platform === 'node' ? 'the image’s own devdb-agent' : 'platform node in images with Node.js'}`;

  /** The file and digest of a request's version and platform, or a 404 saying why. */
  async function find(params: { version: string; platform: string }) {
    if (params.version !== version && params.version !== CURRENT) {
      throw new ApiError(
        404,
        'not_found',
        `this DevDB server is version ${version} and serves devdb-agent ${version} only (not ${params.version}): GET /api/v1/agent lists what it serves`,
      );
    }
    const { platform } = params;
    if (!isPlatform(platform)) {
      throw new ApiError(
        404,
        'not_found',
        `devdb-agent has no platform ${platform}: node (the bundle, for images with Node.js) or linux-x64 (the single executable)`,
      );
    }
    const file = fileOf(platform);
    const digest = await digests.of(file);
    if (!digest) throw new ApiError(404, 'not_found', notBuilt(platform));
    return { file, ...digest };
  }

  const common = { tags: ['agent'], security: [] };

  app.route({
    method: 'GET',
    url: '/api/v1/agent',
    config: { access: 'public' },
    schema: {
      ...common,
      summary:
        'The devdb-agent files this server serves (its own version), by platform, with their sha256; no token needed',
      response: withErrors({ 200: manifest }),
    },
    async handler() {
      const artifacts = [];
      const missing = [];
      for (const platform of AGENT_PLATFORMS) {
        const digest = await digests.of(fileOf(platform));
        if (!digest) {
          missing.push({ platform, detail: notBuilt(platform) });
          continue;
        }
        const { description } = ARTIFACTS[platform];
        artifacts.push({ platform, description, url: agentPath(version, platform), ...digest });
      }
      return { name: 'devdb-agent' as const, version, artifacts, notBuilt: missing };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/agent/:version/:platform',
    config: { access: 'public' },
    schema: {
      ...common,
      summary:
        'Download devdb-agent for a platform (executable as saved); its sha256 is in the X-Checksum-Sha256 header and at …/sha256; no token needed',
      params: platformParams,
      response: withErrors(
        {
          200: {
            description: 'the file',
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
        },
        [404],
      ),
    },
    async handler(request, reply) {
      const found = await find(request.params);
      // The typed reply knows the schema's string; the file is streamed, not read whole.
      const raw: FastifyReply = reply;
      return raw
        .header('content-length', found.bytes)
        .header('x-checksum-sha256', found.sha256)
        .header('etag', `"${found.sha256}"`)
        .header('cache-control', 'no-cache')
        .header('content-disposition', 'attachment; filename="devdb-agent"')
        .type('application/octet-stream')
        .send(createReadStream(found.file));
    },
  });

  app.route({
    method: 'GET',
    url: '/api/v1/agent/:version/:platform/sha256',
    config: { access: 'public' },
    schema: {
      ...common,
      summary:
        'The sha256 of a platform’s devdb-agent, in `sha256sum -c` format (`HEX  devdb-agent`); no token needed',
      params: platformParams,
      response: withErrors(
        {
          200: {
            description: 'one line: the hex digest, two spaces, devdb-agent',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
        [404],
      ),
    },
    async handler(request, reply) {
      const found = await find(request.params);
      return reply
        .header('cache-control', 'no-cache')
        .type('text/plain; charset=utf-8')
        .send(`${found.sha256}  devdb-agent\n`);
    },
  });
}
