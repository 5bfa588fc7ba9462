/**
 * Where the devdb provider lives on disk: the bundle `npm run build` makes, and
 * the filesystem-mirror layout Terraform installs it from offline.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDER_SOURCE = 'registry.terraform.io/devdb/devdb';
export const PROVIDER_VERSION: string = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
).version;

/** dist/provider-bundle/: the one self-contained executable (esbuild) and its package.json. */
export const PROVIDER_BUNDLE_DIR = fileURLToPath(
  new URL('../../provider-bundle/', import.meta.url),
);
export const PROVIDER_BUNDLE = path.join(PROVIDER_BUNDLE_DIR, 'terraform-provider-devdb');

/**
 * The bundle is CommonJS in an extension-less file, which Node loads as ESM when
 * the nearest package.json says "type": "module" (as DevDB's own does, and a
 * mirror inside the project would inherit). This file beside it settles that.
 */
export const BUNDLE_PACKAGE_JSON = '{ "type": "commonjs" }\n';

/** Terraform's OS_ARCH naming for this machine. */
export function platform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

/** HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION inside a mirror. */
export function mirrorExecutable(mirrorDir: string): string {
  return path.join(
    mirrorDir,
    PROVIDER_SOURCE,
    PROVIDER_VERSION,
    platform(),
    `terraform-provider-devdb_v${PROVIDER_VERSION}`,
  );
}
