/**
 * The one error type the agent's commands throw: a message for the person
 * reading the workspace log, what to do about it, and the exit code.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
  rejected: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class AgentError extends Error {
  constructor(
    message: string,
    /** What to do about it, in one sentence. */
    readonly fix: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
