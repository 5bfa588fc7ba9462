/**
 * The HTTP control plane (server/api, docs/api.md) as an extension of `devdb
 * serve` and `devdb up`: it listens for the life of the process, configured
 * from the environment (docs/api.md, "Where it listens"):
 *
 * - DEVDB_API_LISTEN (or the commands' --api-listen, which wins): `host:port`
 *   (default 127.0.0.1:7432; port 0 picks a free one), or `off` for none;
 * - DEVDB_API_TLS_CERT and DEVDB_API_TLS_KEY: PEM files, both or neither;
 * - DEVDB_API_PUBLIC_METRICS=1: /metrics without a token;
 * - DEVDB_API_TRUSTED_PROXIES: reverse proxies (addresses, CIDR ranges) whose
 *   X-Forwarded-For names the client, for login limits and the audit trail.
 *
 * /readyz also checks that the sampler is not behind, and /metrics reports
 * the sampler's latest pass, both read from the job leases, so they hold for
 * whichever serve process ran the sampler.
 */
import { isIP } from 'node:net';
import { listJobRuns, readBackupSettings } from '../../provisioning/index.js';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  startControlPlane,
  type ReadinessCheck,
  type RunningControlPlane,
  type SamplerStatus,
} from '../api/index.js';
import { readIdentities } from '../backup-config.js';
import { UserError } from '../errors.js';
import { API_LISTEN_FORMS, listenAddress, type ControlPlaneListen } from './api-listen.js';
import type { ExtensionContext, ServeExtension } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** DEVDB_API_LISTEN (or what `name` says) as host and port; null when `off`. */
export function parseApiListen(
  value: string | undefined,
  name = 'DEVDB_API_LISTEN',
): ControlPlaneListen | null {
  const listen = listenAddress(value?.trim() || `${DEFAULT_HOST}:${DEFAULT_PORT}`);
  if (listen === undefined) {
    throw new UserError(`${name} is ${JSON.stringify(value)}: it must be ${API_LISTEN_FORMS}`);
  }
  return listen;
}

/** proxy-addr's names for whole ranges (Fastify's trustProxy takes them). */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** DEVDB_API_TRUSTED_PROXIES: addresses or CIDR ranges, comma-separated; none when unset. */
export function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!PROXY_RANGE_NAMES.has(entry) && (family === 0 || !bitsOk || extra !== undefined)) {
      throw new UserError(
        `DEVDB_API_TRUSTED_PROXIES has ${JSON.stringify(entry)}: give the reverse proxies' addresses or CIDR ranges, comma-separated (e.g. 10.0.0.5,10.1.0.0/16,::1; or loopback, linklocal, uniquelocal)`,
      );
    }
  }
  return entries;
}

function tlsFrom(env: Env): { certFile: string; keyFile: string } | undefined {
  const certFile = env.DEVDB_API_TLS_CERT || undefined;
  const keyFile = env.DEVDB_API_TLS_KEY || undefined;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    throw new UserError(
      'DEVDB_API_TLS_CERT and DEVDB_API_TLS_KEY go together: set both PEM files for HTTPS, or neither',
    );
  }
  return { certFile, keyFile };
}

/** The sampler is behind when its latest good pass is older than this (three default periods). */
const SAMPLER_STALE_MS = 15 * 60_000;

async function latestSamplerPass(ctx: ExtensionContext): Promise<SamplerStatus | null> {
  const runs = await listJobRuns(ctx.db, { job: 'sampler', limit: 20 });
  const pass = runs.find((run) => run.outcome === 'ok' && run.finishedAt);
  if (!pass?.finishedAt) return null;
  return {
    lastPassAt: pass.finishedAt,
    durationSeconds: (pass.finishedAt.getTime() - pass.claimedAt.getTime()) / 1000,
  };
}

function samplerReadiness(ctx: ExtensionContext, startedAt: Date): ReadinessCheck {
  return {
    name: 'sampler',
    async run() {
      const pass = await latestSamplerPass(ctx);
      const since = pass?.lastPassAt ?? startedAt;
      const age = ctx.now().getTime() - since.getTime();
      if (age <= SAMPLER_STALE_MS) return { ok: true };
      return {
        ok: false,
        detail: pass
          ? `the sampler's latest pass finished ${Math.round(age / 60_000)} minutes ago`
          : `no sampler pass since this process started ${Math.round(age / 60_000)} minutes ago`,
      };
    },
  };
}

/** The control plane extension, or none when `apiListen` (--api-listen), else DEVDB_API_LISTEN, is `off`. */
export function controlPlaneExtension(env: Env, apiListen?: string): ServeExtension[] {
  const listen =
    apiListen === undefined
      ? parseApiListen(env.DEVDB_API_LISTEN)
      : parseApiListen(apiListen, '--api-listen');
  if (!listen) return [];
  const tls = tlsFrom(env);
  const trustedProxies = parseTrustedProxies(env.DEVDB_API_TRUSTED_PROXIES);
  let plane: RunningControlPlane | undefined;
  return [
    {
      name: 'api',
      async start(ctx) {
        const settings = await readBackupSettings(ctx.db);
        plane = await startControlPlane({
          pool: ctx.db,
          adminUrl: ctx.adminUrl,
          env: ctx.env,
          ...listen,
          tls,
          now: () => ctx.now(),
          readinessChecks: [samplerReadiness(ctx, ctx.now())],
          samplerStatus: () => latestSamplerPass(ctx),
          publicMetrics: env.DEVDB_API_PUBLIC_METRICS === '1',
          trustedProxies,
          backup: { identities: await readIdentities(undefined, ctx.env, settings) },
        }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EADDRINUSE') {
            throw new UserError(
              `the control plane cannot listen on ${listen.host}:${listen.port}: address in use; ` +
                'choose another with --api-listen HOST:PORT (or DEVDB_API_LISTEN), or --api-listen off',
            );
          }
          throw error;
        });
        ctx.log.info(`control plane listening on ${plane.url}`, { url: plane.url });
      },
      async stop() {
        await plane?.close();
      },
      url: () => plane?.url,
    },
  ];
}
