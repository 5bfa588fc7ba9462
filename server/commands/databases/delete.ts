/**
 * `devdb delete NAME [--now]`: a database archived, or dropped after its final
 * backup (docs/operations.md, "Admin commands").
 */
import { policyStates, retireDatabase } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { confirmOrRefuse } from '../../confirm.js';
import { UserError } from '../../errors.js';
import { POLICY_WIRING } from '../../policy-wiring.js';
import { fields, text } from '../../render.js';
import { protectionText } from '../policy/shared.js';
import type { Connection } from './shared.js';

type DeleteOptions = Connection & {
  name: string;
  now?: boolean;
  /** commander's negation: false with --no-backup. */
  backup?: boolean;
  reason?: string;
  yes?: boolean;
  json?: boolean;
};

function checkDeleteFlags(options: DeleteOptions): { reason: string } | undefined {
  if (options.backup !== false) return undefined;
  if (!options.now) throw new UserError('--no-backup goes with --now (an archive loses nothing)');
  if (!options.reason) {
    throw new UserError('--no-backup needs --reason TEXT: it is recorded with the drop');
  }
  return { reason: options.reason };
}

export const deleteCommand: CommandSpec<DeleteOptions> = {
  name: 'delete',
  description:
    'archive a database (renamed, connections refused, restorable); --now drops it after its final backup',
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--now', description: 'drop it now, after a final verified backup (asks, or --yes)' },
    {
      flags: '--no-backup',
      description: 'with --now: drop without the final backup (needs --reason)',
    },
    { flags: '--reason <text>', description: 'why there is no final backup (recorded)' },
    { flags: '--yes', description: 'confirm --now without asking' },
    JSON_OPTION,
  ],
  async run(options, io) {
    const { name } = options;
    const noBackup = checkDeleteFlags(options);
    const done = await withServerOf({ ...options, env: io.env }, name, async (pool, adminUrl) => {
      const [state] = await policyStates(pool, { database: name });
      if (!state)
        throw new UserError(
          `no DevDB database named ${JSON.stringify(name)}; \`devdb list\` shows them`,
        );
      if (state.status === 'dropped') throw new UserError(`${name} was dropped already`);
      if (state.protected) {
        throw new UserError(
          `${name} is protected (${protectionText(state)}): \`devdb unprotect ${name}\` first`,
        );
      }
      if (state.liveAttachments > 0) {
        throw new UserError(
          `${name} still has ${state.liveAttachments} attached workspace(s) (\`devdb inspect ${name}\`): ` +
            'delete those workspaces in Coder, or detach them with `devdb release --workspace-id ID`, first',
        );
      }
      if (!options.now) {
        if (state.status === 'archived') return 'archived already';
        return retireDatabase(pool, { database: name, policy: 'archive', actor: 'cli' });
      }
      await confirmOrRefuse(io, {
        yes: options.yes,
        what: `devdb delete ${name} --now`,
        question: `Drop ${name}${noBackup ? ' WITHOUT a final backup' : ' after its final backup'}? It cannot be restored from the archive afterwards.`,
      });
      const drop = POLICY_WIRING.dropDatabase({
        db: pool,
        adminUrl,
        env: { ...process.env, ...io.env },
      });
      await drop(name, { actor: 'cli', noBackup });
      return 'dropped';
    });
    const restore = done === 'archived' ? `\nRestore it with \`devdb restore ${name}\`.\n` : '';
    return {
      json: { database: name, action: done },
      blocks: [fields([{ label: name, value: done }]), ...(restore ? [text(restore)] : [])],
    };
  },
};
