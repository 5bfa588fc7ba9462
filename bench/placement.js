// The server pool (issue 15): 200 real databases placed over two servers, each
// a real `devdb up` (the central one and a member added with
// addServer), created through attachPlaced as the provider does. Prints how
// evenly they spread (goal: within 10% of even), the time per placed attach,
// and the same attach on the central server alone for comparison.
// BENCH_PLACEMENTS changes the count. Run after `npm run build`: node bench/placement.js
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { attachPlaced, ServerRouter } from '../dist/provisioning/servers/index.js';
import { addServer, listServers } from '../dist/provisioning/servers/index.js';
import { attachWorkspace } from '../dist/provisioning/databases/index.js';
import { fmt, median, withDevdbUp } from './lib.js';

const COUNT = Number(process.env.BENCH_PLACEMENTS ?? 200);
const SOLO = 20;

const endpointOf = (adminUrl) => {
  const url = new URL(adminUrl);
  return { host: url.hostname, port: Number(url.port) };
};

async function timedAttaches(count, attach) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await attach(i);
    times.push(performance.now() - started);
  }
  return times;
}

await withDevdbUp(({ adminUrl: centralUrl }) =>
  withDevdbUp(async ({ adminUrl: memberUrl }) => {
    const central = new pg.Pool({ connectionString: centralUrl, max: 4 });
    const router = new ServerRouter({
      db: central,
      adminUrl: centralUrl,
      endpoint: endpointOf(centralUrl),
    });
    try {
      // The single-server figure first, before the member joins.
      const solo = await timedAttaches(SOLO, (i) =>
        attachWorkspace(central, endpointOf(centralUrl), {
          type: 'individual',
          owner: `solo${i}`,
          workspaceId: `ws-solo-${i}`,
        }),
      );
      await addServer(central, { name: 'pg-2', adminUrl: memberUrl });
      const base = Object.fromEntries(
        (await listServers(central)).map((s) => [s.name, s.databases]),
      );
      process.stderr.write(`placing ${COUNT} databases over 2 servers `);
      const placed = await timedAttaches(COUNT, (i) => {
        if (i % 20 === 0) process.stderr.write('.');
        return attachPlaced(router, {
          type: 'individual',
          owner: `placed${i}`,
          workspaceId: `ws-placed-${i}`,
        });
      });
      process.stderr.write('\n');
      const counts = (await listServers(central)).map((s) => ({
        name: s.name,
        placed: s.databases - (base[s.name] ?? 0),
        total: s.databases,
      }));
      // Placement evens out what each server holds: central held SOLO already.
      const even = counts.reduce((n, c) => n + c.total, 0) / counts.length;
      const spread = Math.max(...counts.map((c) => Math.abs(c.total - even) / even));
      console.log(
        `placed: ${counts.map((c) => `${c.name} ${c.placed}`).join(', ')} of ${COUNT}; ` +
          `held: ${counts.map((c) => `${c.name} ${c.total}`).join(', ')}`,
      );
      console.log(`spread from even: ${(spread * 100).toFixed(1)}% (goal ≤ 10%)`);
      console.log(`attach on one server:   ${fmt(solo)}`);
      console.log(`attach placed (2 servers): ${fmt(placed)}`);
      console.log(`ratio placed ÷ one server: ${(median(placed) / median(solo)).toFixed(2)}`);
    } finally {
      await router.close();
      await central.end();
    }
  }),
);
