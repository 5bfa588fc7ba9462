import type { BlockSchema } from './schema/attributes.js';
import type { ProviderDefinition } from './provider.js';
import { ProviderService } from './rpc/service.js';
import { createLogger } from './transport/log.js';
import { runPluginServer } from './transport/server.js';

/**
 * The provider program's main: `void serve(provider)`. Started by Terraform it serves
 * until Terraform shuts it down; started by hand it says what it is and exits non-zero.
 * It never rejects: a start-up failure is logged and ends the process.
 */
export async function serve<S extends BlockSchema, P>(
  provider: ProviderDefinition<S, P>,
): Promise<void> {
  const log = createLogger(`provider.terraform-provider-${provider.name}`);
  const service = new ProviderService(provider as unknown as ProviderDefinition, log);
  try {
    await runPluginServer({
      programName: `terraform-provider-${provider.name}`,
      handlers: service.handlers(),
      log,
    });
  } catch (error) {
    process.stderr.write(`terraform-provider-${provider.name}: ${String(error)}\n`);
    process.exit(1);
  }
}
