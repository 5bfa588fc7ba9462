// Dashboard live feed figures (issue 13): one tick of /api/v1/live read from
// PostgreSQL once and fanned out to 1, then 50 WebSocket clients, against a real
// `devdb up` with BENCH_DASHBOARD_DATABASES registered databases (default 200).
// One sampler pass first, as `devdb serve` runs it (the tick reads its sizes).
// Prints the queries per tick for 1 vs 50 clients and the tick duration.
// Run after `npm run build`: node bench/dashboard.js (npm run bench:dashboard).
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import pg from 'pg';
import { WebSocket } from 'ws';
import { createApiToken, recordEvent, sampleAll } from '../dist/provisioning/index.js';
import { startControlPlane } from '../dist/server/api/index.js';
import { createRegisteredDatabases, median, withDevdbUp } from './lib.js';

const DATABASES = Number(process.env.BENCH_DASHBOARD_DATABASES ?? 200);
const CLIENTS = Number(process.env.BENCH_DASHBOARD_CLIENTS ?? 50);
const TICKS = Number(process.env.BENCH_DASHBOARD_TICKS ?? 20);

/** Opens `count` clients; resolves when each has its first snapshot. */
async function openClients(url, token, count) {
  const clients = Array.from({ length: count }, () => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const client = { socket, received: 0 };
    client.first = new Promise((resolve, reject) => {
      socket.on('message', () => {
        if (++client.received === 1) resolve();
      });
      socket.on('error', reject);
    });
    return client;
  });
  await Promise.all(clients.map((c) => c.first));
  return clients;
}

/** TICKS ticks with the clients connected: per tick, queries and duration. */
async function measure(feed, clients, pool) {
  const queries = [];
  const durations = [];
  for (let i = 0; i < TICKS; i++) {
    // A change each tick (an event), else the tick sends nothing.
    await recordEvent(pool, { actor: 'bench', action: 'bench.tick', detail: { i } });
    const before = clients.map((c) => c.received);
    const started = performance.now();
    await feed.tick();
    // Until every client has the message (delivery included, not only the send).
    while (clients.some((c, j) => c.received === before[j])) {
      await setImmediate();
    }
    durations.push(performance.now() - started);
    queries.push(feed.stats.lastTickQueries);
  }
  return { queries, durations, bytes: feed.stats.lastTickBytes };
}

async function fanOut({ credentials, adminUrl }) {
  let plane;
  let pool;
  try {
    await createRegisteredDatabases(credentials, { count: DATABASES, prefix: 'dev_dash' });
    pool = new pg.Pool({ connectionString: adminUrl, max: 10 });
    // As under `devdb serve`: the sampler has recorded the sizes the tick reads.
    await sampleAll(pool);
    const { token } = await createApiToken(pool, { name: 'bench', role: 'viewer' });
    // Ticks only when asked: the interval is out of the way.
    plane = await startControlPlane({
      pool,
      adminUrl,
      port: 0,
      liveIntervalMs: 3_600_000,
    });
    const feed = plane.app.liveFeed;
    const url = `${plane.url.replace(/^http/, 'ws')}/api/v1/live`;

    const one = await openClients(url, token, 1);
    await measure(feed, one, pool); // warm-up
    const single = await measure(feed, one, pool);
    const rest = await openClients(url, token, CLIENTS - 1);
    const queriesBefore = feed.stats.queries;
    const many = await measure(feed, [...one, ...rest], pool);
    const perTick = (feed.stats.queries - queriesBefore) / TICKS;
    for (const c of [...one, ...rest]) c.socket.close();

    const ms = (xs) => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(
      `Dashboard live feed at ${DATABASES} databases, ${TICKS} ticks each (snapshot ${(many.bytes / 1024).toFixed(0)} KiB):`,
    );
    console.log(
      `  1 client:   ${median(single.queries)} queries per tick, tick ${ms(single.durations)}`,
    );
    console.log(`  ${CLIENTS} clients: ${perTick} queries per tick, tick ${ms(many.durations)}`);
  } finally {
    await plane?.close();
    await pool?.end();
  }
}

await withDevdbUp(fanOut);
