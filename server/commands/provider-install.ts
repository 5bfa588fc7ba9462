/**
 * `devdb provider install`: lays out a filesystem mirror holding the bundled
 * provider (so the lock file's hash covers the code itself) and a Terraform CLI
 * config that installs `devdb/devdb` from it, offline.
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BUNDLE_PACKAGE_JSON,
  mirrorExecutable,
  PROVIDER_BUNDLE,
  PROVIDER_SOURCE,
  PROVIDER_VERSION,
} from '../../provider/devdb/package-layout.js';
import { UsageError } from '../errors.js';

export interface InstalledProvider {
  mirrorDir: string;
  executable: string;
  cliConfigFile: string;
  version: string;
}

function cliConfig(mirrorDir: string): string {
  return `# Written by \`devdb provider install\`: use with TF_CLI_CONFIG_FILE=${path.join(mirrorDir, 'terraform.rc')}
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

export async function installProvider(dir: string): Promise<InstalledProvider> {
  const mirrorDir = path.resolve(dir);
  const executable = mirrorExecutable(mirrorDir);
  await mkdir(path.dirname(executable), { recursive: true });
  try {
    await copyFile(PROVIDER_BUNDLE, executable);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UsageError(
      `the provider bundle ${PROVIDER_BUNDLE} is missing: run \`npm run build\` first`,
    );
  }
  await chmod(executable, 0o755);
  await writeFile(path.join(path.dirname(executable), 'package.json'), BUNDLE_PACKAGE_JSON);
  const cliConfigFile = path.join(mirrorDir, 'terraform.rc');
  await writeFile(cliConfigFile, cliConfig(mirrorDir));
  return { mirrorDir, executable, cliConfigFile, version: PROVIDER_VERSION };
}

/** What a Coder provisioner (or anyone running terraform) needs to use the provider. */
export function provisionerInstructions(installed: InstalledProvider): string {
  return [
    `Installed ${PROVIDER_SOURCE} ${installed.version} in ${installed.mirrorDir}`,
    'For terraform (on a Coder provisioner: in its environment):',
    `  export TF_CLI_CONFIG_FILE=${installed.cliConfigFile}`,
    '  export DEVDB_ADMIN_URL=...   # $(npx devdb admin-url), or the URL of your DevDB server',
    `  node >= 20 on PATH (the provider is a single Node.js file: ${path.basename(installed.executable)})`,
    'In the configuration: terraform { required_providers { devdb = { source = "devdb/devdb" } } }',
    '',
  ].join('\n');
}
