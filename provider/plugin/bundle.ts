import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

// One file per provider: Terraform's lock file hashes the provider's package
// directory, so the code must live inside it, and one bundle starts fastest.

export interface BundleOptions {
  /** The provider's main module (it calls serve()). */
  entry: string;
  /** The executable to write, e.g. terraform-provider-devdb_v0.1.0. */
  outfile: string;
  minify?: boolean;
  /**
   * Wrap the bundle in a loader that keeps V8's compiled code for it in a code cache
   * (default true): see codeCachingLoader.
   */
  codeCache?: boolean;
}

/** Writes the executable; returns esbuild's warnings (none expected: the build prints them). */
export async function bundleProvider(options: BundleOptions): Promise<string[]> {
  const result = await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS runs from an extension-less executable anywhere, whatever package.json
    // is nearby; dynamic imports become lazy requires, so gRPC still loads after the
    // handshake line.
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
    // provisioning/schema/migrate.ts reads import.meta only when it migrates, which the
    // provider never does (its comment says so): not a warning worth printing each build.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [nodeOnlyPg, lazyPg],
    write: false,
  });
  const code = result.outputFiles[0]!.text;
  const text =
    (options.codeCache ?? true) ? codeCachingLoader(code) : `#!/usr/bin/env node\n${code}`;
  // esbuild writes nothing itself here (write: false), so the folder may not exist yet.
  mkdirSync(path.dirname(options.outfile), { recursive: true });
  writeFileSync(options.outfile, text, { mode: 0o755 });
  chmodSync(options.outfile, 0o755);
  return result.warnings.map((warning) => warning.text);
}

/**
 * The executable: a small CommonJS loader with the bundle inside as a string. Terraform
 * starts the provider several times per command, and without a cache every start
 * compiles the bundle again (the top level eagerly, then each function as it first
 * runs: ~40 ms of a ~100 ms start before the handshake). The loader compiles the
 * bundle with vm.Script and, when no usable cache was found, writes V8's code cache at
 * exit (so it holds the functions this start ran) to
 * ${XDG_CACHE_HOME:-~/.cache}/devdb-terraform-provider/<key>, key = the bundle's hash,
 * Node's version and architecture; later starts hand it to V8, which itself rejects a
 * cache from another V8 or other flags (then the file is rewritten). The directory is
 * the user's own (0700), never a shared one like /tmp: a code cache is code. Any
 * failure to read or write it only costs the saving.
 */
function codeCachingLoader(code: string): string {
  const key = createHash('sha256').update(code).digest('hex').slice(0, 32);
  return `#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const source = ${JSON.stringify(code)};
let cacheFile;
let cachedData;
try {
  const home = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache');
  cacheFile = path.join(home, 'devdb-terraform-provider', \`${key}-\${process.version}-\${process.arch}\`);
  cachedData = fs.readFileSync(cacheFile);
} catch {}
const script = new vm.Script(require('node:module').wrap(source), { filename: __filename, cachedData });
if (cacheFile && (!cachedData || script.cachedDataRejected)) {
  process.once('exit', () => {
    try {
      // Not { recursive: true }: on some file systems (e.g. /proc) it never returns.
      for (const dir of [path.dirname(path.dirname(cacheFile)), path.dirname(cacheFile)]) {
        try { fs.mkdirSync(dir, { mode: 0o700 }); } catch (error) { if (error.code !== 'EEXIST') throw error; }
      }
      const partial = \`\${cacheFile}.\${process.pid}\`;
      fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(partial, cacheFile);
    } catch {}
  });
}
script.runInThisContext()(exports, require, module, __filename, __dirname);
`;
}

/**
 * `pg` (when the provider bundles it) asks at load time whether it runs on Cloudflare
 * Workers: with no `navigator` global (Node 20) it builds a `Response`, which loads
 * Node's whole fetch implementation (undici): ~35 ms of every launch that loads `pg`.
 * The bundle only ever runs on Node, so the answer is fixed at build time. The build
 * fails if a `pg` upgrade changes the code, rather than silently losing the saving.
 */
const PG_PROBE = 'if (isCloudflareRuntime()) {';
const nodeOnlyPg: Plugin = {
  name: 'node-only-pg',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(PG_PROBE)) {
        throw new Error(`${args.path}: no "${PG_PROBE}" to replace (pg changed?)`);
      }
      return { contents: source.replace(PG_PROBE, 'if (false) {'), loader: 'js' };
    });
  },
};

/**
 * The provider's code imports `pg` at the top of many modules, so the bundle would load
 * it (and pg-pool, pg-protocol, pg-types…) on every launch, before the handshake line,
 * although only the calls that reach a database use it: Terraform's schema and
 * validation launches never do. Outside pg itself, `pg` becomes an object with the same
 * property names whose getters load pg on first use (`pg.Pool`, `pg.types`…); esbuild
 * turns the `require` inside the getter into a call made then. Only the default import
 * (`import pg from 'pg'`) is supported: the build fails on a named one rather than
 * loading pg eagerly again unnoticed.
 */
const LAZY_PG_NAMESPACE = 'devdb-lazy-pg';
const lazyPg: Plugin = {
  name: 'lazy-pg',
  setup(build) {
    build.onResolve({ filter: /^pg$/ }, async (args) => {
      if (args.namespace === LAZY_PG_NAMESPACE || /[\\/]node_modules[\\/]/.test(args.importer)) {
        return undefined;
      }
      // pg's CommonJS entry: one lazy module for every importer of the same pg.
      const pg = await build.resolve('pg', {
        kind: 'require-call',
        resolveDir: args.resolveDir,
        namespace: LAZY_PG_NAMESPACE,
      });
      if (pg.errors.length) return { errors: pg.errors };
      return { path: pg.path, namespace: LAZY_PG_NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: LAZY_PG_NAMESPACE }, (args) => {
      const names = Object.keys(createRequire(args.path)(args.path) as object);
      const getters = names
        .map(
          (name) => `  get ${JSON.stringify(name)}() { return load()[${JSON.stringify(name)}]; },`,
        )
        .join('\n');
      const contents = `let pg;
const load = () => (pg ??= require('pg'));
export default {
${getters}
};
`;
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};
