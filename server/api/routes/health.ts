/**
 * /healthz (the process answers), /readyz (PostgreSQL reachable, migrations
 * current, and whatever checks `devdb serve` adds, e.g. the sampler's
 * freshness; each member of the server pool probed) and /metrics (Prometheus text).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  checkBackupTools,
  describeUnreachable,
  migrationStatus,
  ping,
} from '../../../provisioning/index.js';
import type { ControlPlaneOptions, ReadinessCheck } from '../context.js';
import { probePool, renderMetrics } from '../metrics.js';
import { object, stringEnum, withErrors } from '../schemas.js';

const CHECK_TIMEOUT_MS = 5_000;

/** PostgreSQL answers, and every migration this DevDB ships is applied, none changed. */
export function databaseChecks(options: ControlPlaneOptions): ReadinessCheck[] {
  return [
    {
      name: 'postgresql',
      async run() {
        await ping(options.pool);
        return { ok: true };
      },
    },
    {
      name: 'migrations',
      async run() {
        const client = await options.pool.connect();
        try {
          const { numbered, repeatable } = await migrationStatus(client);
          const pending = [...numbered, ...repeatable].filter((m) => m.state !== 'applied');
          return pending.length
            ? {
                ok: false,
                detail: `${pending.length} pending (${pending.map((m) => m.file).join(', ')}): run \`devdb migrate\``,
              }
            : { ok: true };
        } finally {
          client.release();
        }
      },
    },
    {
      // Backups run in this process (serve's schedule, the API): they need a
      // pg_dump that fits the server here (docs/backups.md, "Which pg_dump").
      name: 'backups',
      degradesOnly: true,
      run: backupToolsCheck(options),
    },
  ];
}

const TOOLS_RECHECK_MS = 60_000;

/**
 * The backups check, its answer kept a minute: finding the tools runs each
 * candidate's `--version`, too much for every probe of a load balancer.
 */
function backupToolsCheck(options: ControlPlaneOptions) {
  let last: { at: number; result: Promise<{ ok: boolean; detail?: string }> } | undefined;
  const check = async () => {
    const { problem } = await checkBackupTools({ db: options.pool, env: options.env });
    return problem ? { ok: false, detail: problem } : { ok: true };
  };
  return () => {
    if (last && Date.now() - last.at < TOOLS_RECHECK_MS) return last.result;
    const result = check();
    last = { at: Date.now(), result };
    // A failed look (the server did not answer) is not kept: the next probe looks again.
    result.catch(() => last?.result === result && (last = undefined));
    return result;
  };
}

const checkResult = object({
  name: Type.String(),
  ok: Type.Boolean(),
  detail: Type.Optional(Type.String()),
  degradesOnly: Type.Optional(
    Type.Boolean({ description: 'failing, it makes the status `degraded`, not `not ready`' }),
  ),
});
const readiness = object({
  status: stringEnum(['ready', 'degraded', 'not ready']),
  checks: Type.Array(checkResult),
});

const degrades = (check: ReadinessCheck) => (check.degradesOnly ? { degradesOnly: true } : {});

/** `not ready` (503) when a check fails, `degraded` (200) when only checks that degrade do. */
function statusOf(results: Static<typeof checkResult>[]): 'ready' | 'degraded' | 'not ready' {
  const failed = results.filter((r) => !r.ok);
  if (failed.some((r) => !r.degradesOnly)) return 'not ready';
  return failed.length ? 'degraded' : 'ready';
}

/**
 * One check per member of the server pool (`server NAME`), probed now: a
 * member down degrades readiness (200, status `degraded`) but does not take
 * the control plane out of a load balancer, since every other server still
 * works. None with only the central server, or when it is down (the
 * `postgresql` check says so, 503).
 */
async function memberChecks(options: ControlPlaneOptions): Promise<Static<typeof checkResult>[]> {
  const health = await probePool(options).catch(() => null);
  if (!health || health.servers.length < 2) return [];
  const down = new Map(health.unreachable.map((u) => [u.server, u]));
  return health.servers
    .filter((server) => !server.central)
    .map((server) => {
      const unreachable = down.get(server.name);
      const name = `server ${server.name}`;
      return unreachable
        ? { name, ok: false, detail: describeUnreachable(unreachable), degradesOnly: true }
        : { name, ok: true, degradesOnly: true };
    });
}

async function runCheck(check: ReadinessCheck): Promise<Static<typeof checkResult>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    const result = await Promise.race([check.run(), timeout]);
    return { name: check.name, ...result, ...degrades(check) };
  } catch (error) {
    return { name: check.name, ok: false, detail: (error as Error).message, ...degrades(check) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(
  server: FastifyInstance,
  options: ControlPlaneOptions,
  now: () => Date,
): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const checks = [...databaseChecks(options), ...(options.readinessChecks ?? [])];

  app.route({
    method: 'GET',
    url: '/healthz',
    config: { access: 'public' },
    schema: {
      summary: 'The process is alive',
      tags: ['health'],
      security: [],
      response: { 200: object({ status: stringEnum(['ok']) }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.route({
    method: 'GET',
    url: '/readyz',
    config: { access: 'public' },
    schema: {
      summary:
        'Ready to serve: PostgreSQL reachable, migrations current, and the checks serve adds; `degraded` (still 200) when only something DevDB does on its own cannot run (backups without a fitting pg_dump) or a member server of the pool is down',
      tags: ['health'],
      security: [],
      response: { 200: readiness, 503: readiness },
    },
    async handler(_request, reply) {
      const [results, members] = await Promise.all([
        Promise.all(checks.map(runCheck)),
        memberChecks(options),
      ]);
      const all = [...results, ...members];
      const status = statusOf(all);
      return reply.code(status === 'not ready' ? 503 : 200).send({ status, checks: all });
    },
  });

  app.route({
    method: 'GET',
    url: '/metrics',
    config: { access: options.publicMetrics ? 'public' : 'read' },
    schema: {
      summary: 'Prometheus metrics (text format 0.0.4)',
      tags: ['health'],
      ...(options.publicMetrics ? { security: [] } : {}),
      response: withErrors({
        200: {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      }),
    },
    async handler(_request, reply) {
      const { contentType, text } = await renderMetrics(options, now);
      return reply.type(contentType).send(text);
    },
  });
}
