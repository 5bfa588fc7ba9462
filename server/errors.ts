/**
 * An error the user can fix from the message alone (no server running, no such
 * database): printed as one line without a stack trace, exit code 1. Command-line
 * mistakes are commander's usage errors instead (exit code 2, see server/program.ts).
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
