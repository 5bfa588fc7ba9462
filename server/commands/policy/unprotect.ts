/**
 * `devdb unprotect`: the policy applies to a protected database again
 * (docs/operations.md, "The policy").
 */
import { policyStates, unprotectDatabase } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import { fields } from '../../render.js';
import { NAME_ARGUMENT, type Connection } from './shared.js';

export const unprotectCommand: CommandSpec<Connection & { name: string; json?: boolean }> = {
  name: 'unprotect',
  description: 'end the protection of a database: the policy applies to it again',
  arguments: [NAME_ARGUMENT],
  options: [...CONNECTION_OPTIONS, JSON_OPTION],
  async run(options, io) {
    const { name } = options;
    const [removed, [state]] = await withServerOf(
      { ...options, env: io.env },
      name,
      async (pool) => [
        await unprotectDatabase(pool, { database: name, actor: 'cli' }),
        await policyStates(pool, { database: name }),
      ],
    );
    return {
      json: { database: name, wasProtected: removed, state: state?.state ?? null },
      blocks: [
        fields([
          { label: 'database', value: name },
          { label: 'was protected', value: removed ? 'yes' : 'no (nothing changed)' },
          { label: 'state', value: state?.state },
        ]),
      ],
    };
  },
};
