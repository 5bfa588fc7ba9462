/**
 * An error the user can fix from the message alone (no server running, no such
 * database): printed as one line without a stack trace, exit code 1. Command-line
 * mistakes are commander's usage errors instead (exit code 2, see server/program.ts).
 */
export class UserError extends Error {
  /** 1 by default; 2 when the command line itself must change (e.g. a confirmation needs --yes). */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
