import { DiagnosticError } from '../plugin/index.js';

/**
 * A computed value the state must hold once the resource exists. Missing only
 * when the state was edited by hand; say so rather than fail obscurely.
 */
export function stored<T>(value: T | null | undefined, attribute: string): T {
  if (value === null || value === undefined) {
    throw new DiagnosticError(`The state has no ${attribute}`, {
      detail: `This resource's stored ${attribute} is missing. Remove it from the state (terraform state rm) and import it again.`,
      path: [attribute],
    });
  }
  return value;
}
