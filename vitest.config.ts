import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run DevDB's TypeScript sources: `devdb/...` self-imports (the templates) resolve
  // through the package.json exports' `devdb-source` condition, as tsc does, not to dist/.
  // The other three are Vite's own server defaults, which a list given here replaces.
  ssr: { resolve: { conditions: ['devdb-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Suites start real PostgreSQL servers and real terraform processes; the
    // machine has two cores, so keep file-level parallelism modest.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every devdb serve / devdb up a test starts (in process or as a child, which
    // inherits this) listens for the control plane on a free port, never on the
    // fixed default 7432 that parallel tests would contend for.
    env: { DEVDB_API_LISTEN: '127.0.0.1:0' },
  },
});
