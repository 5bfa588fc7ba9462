import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

// One file per provider: Terraform's lock file hashes the provider's package
// directory, so the code must live inside it, and one bundle starts fastest.

export interface BundleOptions {
  /** The provider's main module (it calls serve()). */
  entry: string;
  /** The executable to write, e.g. terraform-provider-devdb_v0.1.0. */
  outfile: string;
  minify?: boolean;
}

export async function bundleProvider(options: BundleOptions): Promise<void> {
  await build({
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
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  chmodSync(options.outfile, 0o755);
}
