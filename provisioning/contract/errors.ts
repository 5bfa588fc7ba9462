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
    /** PostgreSQL's DETAIL, when the operation gave one (kept for the callers that read it). */
    readonly detail?: string,
  ) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'ProvisioningError';
  }
}

/**
 * attachWorkspace with `ifAttached: 'refuse'` found the workspace attached
 * already: nothing was changed, its credentials still work.
 */
export class AlreadyAttachedError extends ProvisioningError {
  constructor(
    readonly workspaceId: string,
    readonly database: string,
    readonly user: string,
  ) {
    super(
      `workspace ${workspaceId} is already attached to database ${database} (login role ${user})`,
      'DV002',
    );
    this.name = 'AlreadyAttachedError';
  }
}

interface PgErrorShape {
  code?: string;
  message: string;
  hint?: string;
  detail?: string;
  severity?: string;
}

function isPgError(error: unknown): error is PgErrorShape {
  return error instanceof Error && typeof (error as PgErrorShape).severity === 'string';
}

/** Turns a PostgreSQL error into a ProvisioningError; anything else is rethrown as is. */
export function translatePgError(error: unknown): never {
  if (isPgError(error))
    throw new ProvisioningError(error.message, error.code, error.hint, error.detail);
  throw error;
}
