/**
 * The coder stand-in as Terraform installs it: bundled once (cached by the content of
 * its sources and the plugin framework's) and laid out in a filesystem mirror, alone
 * or next to the devdb provider, with a CLI config that installs both offline.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BUNDLE_PACKAGE_JSON,
  installToMirror,
  packageRoot,
  platform,
  PROVIDER_BUNDLE,
  PROVIDER_SOURCE as DEVDB_SOURCE,
} from '../../provider/devdb/package-layout.js';
import { bundleProvider } from '../../provider/plugin/bundle.js';
import { CODER_PROVIDER_SOURCE, CODER_PROVIDER_VERSION } from './provider.js';

export { CODER_PROVIDER_SOURCE, CODER_PROVIDER_VERSION };

const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
const EXECUTABLE_NAME = `terraform-provider-coder_v${CODER_PROVIDER_VERSION}`;
/** Cached bundles not used for this long are removed. */
const CACHE_MAX_AGE_MS = 24 * 3600_000;

/** Every source file the bundle is made of, in a stable order. */
function sourceFiles(): string[] {
  const root = packageRoot();
  const files: string[] = [path.join(root, 'package-lock.json')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  walk(path.join(root, 'provider', 'plugin'));
  walk(path.dirname(ENTRY));
  return files;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) {
    hash.update(path.relative(packageRoot(), file)).update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

let bundled: Promise<string> | undefined;

/**
 * The stand-in's executable (one esbuild CommonJS file), built at most once per
 * process and reused across processes while its sources are unchanged.
 */
export function coderProviderBundle(): Promise<string> {
  bundled ??= buildCached().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function buildCached(): Promise<string> {
  const cacheRoot = path.join(tmpdir(), `devdb-coder-provider-${userInfo().uid}`);
  const key = sourceHash();
  const dir = path.join(cacheRoot, key);
  const executable = path.join(dir, EXECUTABLE_NAME);
  if (existsSync(executable)) {
    // Marks it used, so pruning by age spares it.
    await utimes(dir, new Date(), new Date());
    return executable;
  }
  await mkdir(dir, { recursive: true });
  // Another test worker may be building the same bundle: write aside, then rename.
  const partial = `${executable}.${process.pid}.partial`;
  try {
    await bundleProvider({ entry: ENTRY, outfile: partial });
    await rename(partial, executable);
  } finally {
    await rm(partial, { force: true });
  }
  await pruneCache(cacheRoot, key);
  return executable;
}

async function pruneCache(cacheRoot: string, keep: string): Promise<void> {
  for (const entry of await readdir(cacheRoot)) {
    if (entry === keep) continue;
    const dir = path.join(cacheRoot, entry);
    const info = await stat(dir).catch(() => null);
    if (info && Date.now() - info.mtimeMs > CACHE_MAX_AGE_MS) {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** HOST/coder/coder/2.17.0/OS_ARCH/terraform-provider-coder_v2.17.0 inside a mirror. */
export function coderMirrorExecutable(mirrorDir: string): string {
  return path.join(
    mirrorDir,
    CODER_PROVIDER_SOURCE,
    CODER_PROVIDER_VERSION,
    platform(),
    EXECUTABLE_NAME,
  );
}

/**
 * Copies the stand-in into a filesystem mirror (the code itself, so the lock file's
 * hash covers it), with the package.json that makes Node load it as CommonJS.
 */
export async function installCoderToMirror(mirrorDir: string): Promise<string> {
  const executable = coderMirrorExecutable(path.resolve(mirrorDir));
  await mkdir(path.dirname(executable), { recursive: true });
  await copyFile(await coderProviderBundle(), executable);
  await chmod(executable, 0o755);
  await writeFile(path.join(path.dirname(executable), 'package.json'), BUNDLE_PACKAGE_JSON);
  return executable;
}

export interface TestMirror {
  mirrorDir: string;
  /** For TF_CLI_CONFIG_FILE: installs the providers below from the mirror, never from the network. */
  cliConfigFile: string;
  /** Source addresses in the mirror, e.g. registry.terraform.io/coder/coder. */
  sources: string[];
  coderExecutable: string;
  /** The devdb provider's executable, unless installed with `{ devdb: false }`. */
  devdbExecutable?: string;
}

export function mirrorCliConfig(mirrorDir: string, sources: readonly string[]): string {
  const list = sources.map((s) => JSON.stringify(s)).join(', ');
  return `# Test mirror: the devdb provider and the coder stand-in, installed offline.
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirrorDir)}
    include = [${list}]
  }
  direct {
    exclude = [${list}]
  }
}
`;
}

/**
 * Lays out a filesystem mirror in `dir` holding devdb/devdb (the bundle `npm run build`
 * wrote; pass `{ devdb: false }` to leave it out) and the coder/coder stand-in, plus
 * `dir/terraform.rc` for TF_CLI_CONFIG_FILE. Terraform's configuration then needs only
 * `required_providers { coder = { source = "coder/coder", version = "~> 2.15" } }`.
 */
export async function installTestMirror(
  dir: string,
  options: { devdb?: boolean } = {},
): Promise<TestMirror> {
  const mirrorDir = path.resolve(dir);
  const sources = [CODER_PROVIDER_SOURCE];
  let devdbExecutable: string | undefined;
  if (options.devdb ?? true) {
    try {
      devdbExecutable = (await installToMirror(mirrorDir)).executable;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new Error(
        `the devdb provider bundle ${PROVIDER_BUNDLE} is missing: run \`npm run build\``,
      );
    }
    sources.unshift(DEVDB_SOURCE);
  }
  const coderExecutable = await installCoderToMirror(mirrorDir);
  const cliConfigFile = path.join(mirrorDir, 'terraform.rc');
  await writeFile(cliConfigFile, mirrorCliConfig(mirrorDir, sources));
  return { mirrorDir, cliConfigFile, sources, coderExecutable, devdbExecutable };
}
