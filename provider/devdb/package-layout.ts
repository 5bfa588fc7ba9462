/**
 * Where the devdb provider lives on disk: the bundle `npm run build` makes, and
 * the filesystem-mirror layout Terraform installs it from offline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDER_SOURCE = 'registry.terraform.io/devdb/devdb';

/**
 * The DevDB package's root directory, found from this module whether it runs
 * from source (tests) or from dist/.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('DevDB package.json not found above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

export const PROVIDER_VERSION: string = JSON.parse(
  readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'),
).version;

/** dist/provider-bundle/: the one self-contained executable (esbuild) and its package.json. */
export const PROVIDER_BUNDLE_DIR = path.join(packageRoot(), 'dist', 'provider-bundle');
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

export interface InstalledProvider {
  mirrorDir: string;
  executable: string;
  /** A Terraform CLI config (TF_CLI_CONFIG_FILE) that installs devdb/devdb from the mirror. */
  cliConfigFile: string;
  version: string;
}

function cliConfig(mirrorDir: string, cliConfigFile: string): string {
  return `# Written by \`devdb provider install\`: use with TF_CLI_CONFIG_FILE=${cliConfigFile}
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirrorDir)}
    include = [${JSON.stringify(PROVIDER_SOURCE)}]
  }
  direct {
    exclude = [${JSON.stringify(PROVIDER_SOURCE)}]
  }
}
`;
}

/**
 * Lays out a filesystem mirror holding the bundled provider itself (so the lock
 * file's hash covers the code) and the CLI config that installs it offline.
 * Throws ENOENT when the bundle was not built.
 */
export async function installToMirror(dir: string): Promise<InstalledProvider> {
  const mirrorDir = path.resolve(dir);
  const executable = mirrorExecutable(mirrorDir);
  await mkdir(path.dirname(executable), { recursive: true });
  await copyFile(PROVIDER_BUNDLE, executable);
  await chmod(executable, 0o755);
  await writeFile(path.join(path.dirname(executable), 'package.json'), BUNDLE_PACKAGE_JSON);
  const cliConfigFile = path.join(mirrorDir, 'terraform.rc');
  await writeFile(cliConfigFile, cliConfig(mirrorDir, cliConfigFile));
  return { mirrorDir, executable, cliConfigFile, version: PROVIDER_VERSION };
}
