/**
 * Builds devdb-agent into one executable file: CommonJS (runs from an
 * extension-less file), pg bundled in, minified, for node ≥ 18 — a workspace
 * image has node or nothing, never our node_modules.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * The only DevDB modules outside agent/ the bundle may contain: those of
 * provisioning/contract/, the dependency-free shapes the agent shares with the
 * server (the linter keeps that folder free of other imports). Anything else from
 * provisioning/ or server/ would drag the server's code (and its dependencies) into
 * a file every workspace downloads.
 */
export const SHARED_FOLDER = 'provisioning/contract/';

/** DevDB's version, from the package.json of the working directory (the project's root). */
function packageVersion(): string {
  return (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
}

/** Fails the build when the bundle pulls in a DevDB module outside SHARED_FOLDER. */
function checkInputs(inputs: string[]): void {
  const foreign = inputs.filter(
    (file) =>
      !file.includes('node_modules/') &&
      !file.startsWith('dist/agent/') &&
      !file.startsWith(`dist/${SHARED_FOLDER}`),
  );
  if (foreign.length) {
    throw new Error(
      `devdb-agent bundle must not include ${foreign.join(', ')} (see agent/bundle.ts)`,
    );
  }
}

/** Bundles the agent; returns the files that went into it (relative to the working directory). */
export async function bundleAgent(
  entry = 'dist/agent/main.js',
  outfile = AGENT_BUNDLE,
): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    // `devdb-agent --version`: the package's version, fixed at build time.
    define: { DEVDB_AGENT_VERSION: JSON.stringify(packageVersion()) },
    // pg's optional native binding: required lazily in a try, never used here.
    external: ['pg-native'],
    logLevel: 'warning',
    metafile: true,
  });
  const inputs = Object.keys(metafile.inputs);
  checkInputs(inputs);
  chmodSync(outfile, 0o755);
  writeFileSync(path.join(path.dirname(outfile), 'package.json'), PACKAGE_JSON);
  return inputs;
}
