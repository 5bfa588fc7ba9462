/**
 * Confirmation before a command changes many things or loses something:
 * asked on a terminal, else `--yes` is required (exit 2: the command line must change).
 */
import { UserError } from './errors.js';
import type { CliIO } from './io.js';

export async function confirmOrRefuse(
  io: CliIO,
  options: { yes?: boolean; question: string; what: string },
): Promise<void> {
  if (options.yes) return;
  if (!io.confirm) {
    throw new UserError(
      `${options.what} asks for confirmation, and stdin is not a terminal: add --yes to go ahead (nothing was changed)`,
      2,
    );
  }
  if (!(await io.confirm(options.question))) throw new UserError('cancelled: nothing was changed');
}
