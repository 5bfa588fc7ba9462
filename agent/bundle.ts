/**
 * Builds devdb-agent into one executable file: CommonJS (runs from an
 * extension-less file), pg bundled in, minified, for node ≥ 18 — a workspace
 * image has node or nothing, never our node_modules.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** dist/agent-bundle/: the executable and the package.json that keeps it CommonJS. */
export const AGENT_BUNDLE_DIR = path.join('dist', 'agent-bundle');
export const AGENT_BUNDLE = path.join(AGENT_BUNDLE_DIR, 'devdb-agent');

/**
 * An extension-less file under DevDB's "type": "module" package.json would be
 * loaded as ESM; this file beside the bundle settles it as CommonJS.
 */
const PACKAGE_JSON = '{ "type": "commonjs" }\n';

export async function bundleAgent(
  entry = 'dist/agent/main.js',
  outfile = AGENT_BUNDLE,
): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    // pg's optional native binding: required lazily in a try, never used here.
    external: ['pg-native'],
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  writeFileSync(path.join(path.dirname(outfile), 'package.json'), PACKAGE_JSON);
}
