// Build step after tsc: ship the SQL (numbered migrations and repeatable files)
// and the provider's doc examples beside the compiled code, and
// bundle the devdb provider into the one executable `devdb provider install` copies,
// and the in-workspace agent into dist/agent-bundle/devdb-agent (package.json "bin"),
// and the admin dashboard (server/dashboard) into dist/dashboard/app.{js,css}.
import { cpSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleAgent } from '../dist/agent/bundle.js';
import { bundleProvider } from '../dist/provider/plugin/bundle.js';
import {
  BUNDLE_PACKAGE_JSON,
  PROVIDER_BUNDLE,
  PROVIDER_BUNDLE_DIR,
} from '../dist/provider/devdb/package-layout.js';

// Every .sql file of provisioning/ (migrations and each concept's repeatable files) at
// the same place under dist/provisioning/, beside the compiled modules that use it.
cpSync('provisioning', 'dist/provisioning', {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || source.endsWith('.sql'),
});
cpSync('provider/devdb/examples', 'dist/provider/devdb/examples', { recursive: true });
await bundleProvider({ entry: 'dist/provider/devdb/main.js', outfile: PROVIDER_BUNDLE });
writeFileSync(path.join(PROVIDER_BUNDLE_DIR, 'package.json'), BUNDLE_PACKAGE_JSON);
await bundleAgent();
await build({
  entryPoints: { app: 'server/dashboard/main.ts' },
  outdir: 'dist/dashboard',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
