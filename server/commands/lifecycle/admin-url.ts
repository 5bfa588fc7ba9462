/** `devdb admin-url`: the provisioner URL, for `export DEVDB_ADMIN_URL=$(devdb admin-url)`. */
import type { CommandSpec } from '../../command.js';
import { adminUrlFor, readCredentials } from '../../data-dir.js';
import { UserError } from '../../errors.js';
import { text } from '../../render.js';
import { DATA_DIR_OPTION } from './shared.js';

export const adminUrlCommand: CommandSpec<{ dataDir: string }> = {
  name: 'admin-url',
  description:
    "print the provisioner's URL, password included: export DEVDB_ADMIN_URL=$(devdb admin-url)",
  options: [DATA_DIR_OPTION],
  async run({ dataDir }) {
    const credentials = await readCredentials(dataDir);
    if (!credentials) {
      throw new UserError(`no DevDB credentials in ${dataDir}: run \`devdb up\` first`);
    }
    return { blocks: [text(`${adminUrlFor(credentials)}\n`)] };
  },
};
