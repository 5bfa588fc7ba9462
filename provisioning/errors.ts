/**
 * Errors the provisioning API raises for its callers (CLI, provider, agent).
 * PostgreSQL errors from the operations carry a message written for people and
 * often a HINT; both are kept, the rest of the driver's detail is not.
 */
export class ProvisioningError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'ProvisioningError';
  }
}

interface PgErrorShape {
  code?: string;
  message: string;
  hint?: string;
  severity?: string;
}

function isPgError(error: unknown): error is PgErrorShape {
  return error instanceof Error && typeof (error as PgErrorShape).severity === 'string';
}

/** Turns a PostgreSQL error into a ProvisioningError; anything else is rethrown as is. */
export function translatePgError(error: unknown): never {
  if (isPgError(error)) throw new ProvisioningError(error.message, error.code, error.hint);
  throw error;
}
