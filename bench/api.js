// Control plane figures (issue 13): latency of the REST API's database list at
// 1,000 databases, over real HTTP against a real `devdb up`, and one /metrics
// scrape at that size. Run after `npm run build`: node bench/api.js
// (npm run bench:api). BENCH_API_DATABASES and BENCH_API_REQUESTS change the sizes.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApiToken } from '../dist/provisioning/index.js';
import { startControlPlane } from '../dist/server/api/index.js';
import { createRegisteredDatabases, withDevdbUp } from './lib.js';

const DATABASES = Number(process.env.BENCH_API_DATABASES ?? 1000);
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 500);
const CREATE_CONCURRENCY = 4;

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const figures = (xs) =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms (n=${xs.length})`;

async function timed(url, token, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await globalThis.fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function measure({ credentials, adminUrl }) {
  let plane;
  let pool;
  try {
    const started = performance.now();
    await createRegisteredDatabases(credentials, {
      count: DATABASES,
      prefix: 'dev_bench',
      concurrency: CREATE_CONCURRENCY,
    });
    const createdIn = (performance.now() - started) / 1000;
    pool = new pg.Pool({ connectionString: adminUrl, max: 10 });
    const { token } = await createApiToken(pool, { name: 'bench', role: 'viewer' });
    plane = await startControlPlane({ pool, adminUrl, port: 0 });
    const api = `${plane.url}/api/v1/databases`;
    await timed(api, token, 20); // warm-up: connections, JIT, caches
    const page = await timed(`${api}?limit=50`, token, REQUESTS);
    const deep = await timed(
      `${api}?limit=50&offset=${DATABASES - 50}&order=desc&sort=lastAccessed`,
      token,
      REQUESTS,
    );
    const filtered = await timed(`${api}?limit=50&search=bench09`, token, REQUESTS);
    const bySize = await timed(
      `${api}?limit=50&sort=size&order=desc`,
      token,
      Math.min(REQUESTS, 20),
    );
    const metrics = await timed(`${plane.url}/metrics`, token, 10);
    console.log(
      `API at ${DATABASES} databases (created in ${createdIn.toFixed(0)} s), sequential requests:`,
    );
    console.log(`  GET /api/v1/databases?limit=50                  ${figures(page)}`);
    console.log(`  … last page, sorted by last access               ${figures(deep)}`);
    console.log(`  … name search                                    ${figures(filtered)}`);
    console.log(`  … sorted by size (every size read)               ${figures(bySize)}`);
    console.log(`  GET /metrics (all per-database series)           ${figures(metrics)}`);
  } finally {
    await plane?.close();
    await pool?.end();
  }
}

await withDevdbUp(measure);
