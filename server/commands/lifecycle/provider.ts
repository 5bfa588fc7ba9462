/** `devdb provider install`: the provider in a filesystem mirror, and what a provisioner needs. */
import path from 'node:path';
import {
  installToMirror,
  PROVIDER_BUNDLE,
  PROVIDER_SOURCE,
  type InstalledProvider,
} from '../../../provider/devdb/package-layout.js';
import type { CommandSpec } from '../../command.js';
import { DEFAULT_DATA_DIR } from '../../data-dir.js';
import { UserError } from '../../errors.js';
import { text } from '../../render.js';

export async function installProvider(dir: string): Promise<InstalledProvider> {
  try {
    return await installToMirror(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UserError(
      `the provider bundle ${PROVIDER_BUNDLE} is missing: run \`npm run build\` first`,
    );
  }
}

/** What a Coder provisioner (or anyone running terraform) needs to use the provider. */
export function provisionerInstructions(installed: InstalledProvider): string {
  return [
    `Installed ${PROVIDER_SOURCE} ${installed.version} in ${installed.mirrorDir}`,
    'For terraform (on a Coder provisioner: in its environment):',
    `  export TF_CLI_CONFIG_FILE=${installed.cliConfigFile}`,
    "  export DEVDB_ADMIN_URL=...   # your DevDB server's URL (`devdb admin-url` prints it where DevDB runs)",
    `  node >= 20 on PATH (the provider is a single Node.js file: ${path.basename(installed.executable)})`,
    'In the configuration: terraform { required_providers { devdb = { source = "devdb/devdb" } } }',
    '',
  ].join('\n');
}

const installCommand: CommandSpec<{ dir: string }> = {
  name: 'install',
  description:
    'lay out a filesystem mirror with the provider and a CLI config for TF_CLI_CONFIG_FILE',
  options: [
    {
      flags: '--dir <dir>',
      description: 'mirror directory',
      default: path.join(DEFAULT_DATA_DIR, 'terraform'),
    },
  ],
  async run({ dir }) {
    return { blocks: [text(provisionerInstructions(await installProvider(dir)))] };
  },
};

export const providerCommand: CommandSpec = {
  name: 'provider',
  description: 'the devdb Terraform provider',
  subcommands: [installCommand],
};
