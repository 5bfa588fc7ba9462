/** `devdb protect`: a database exempted from the policy (docs/operations.md, "The policy"). */
import { policyStates, protectDatabase } from '../../../provisioning/index.js';
import { CONNECTION_OPTIONS, withServerOf } from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec, type OptionSpec } from '../../command.js';
import { fields } from '../../render.js';
import { untilDate } from '../../values.js';
import { NAME_ARGUMENT, protectionText, type Connection } from './shared.js';

export const protectCommand: CommandSpec<
  Connection & { name: string; until?: Date; reason?: string; json?: boolean }
> = {
  name: 'protect',
  description: 'exempt a database from the policy: cleanup never touches it',
  arguments: [NAME_ARGUMENT],
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--until <date>',
      description: 'end of the protection: a date (to the end of that day, UTC) or ISO date-time',
      parse: untilDate,
    },
    { flags: '--reason <text>', description: 'why, shown with the protection' },
    JSON_OPTION,
  ] satisfies OptionSpec[],
  async run(options, io) {
    const { name } = options;
    const [state] = await withServerOf({ ...options, env: io.env }, name, async (pool) => {
      await protectDatabase(pool, {
        database: name,
        until: options.until ?? null,
        reason: options.reason ?? null,
        actor: 'cli',
      });
      return policyStates(pool, { database: name });
    });
    return {
      json: state,
      blocks: [
        fields([
          { label: 'database', value: name },
          { label: 'protected', value: state ? protectionText(state) : null },
          { label: 'state', value: state?.state },
        ]),
      ],
    };
  },
};
