/**
 * Refreshing while DevDB cannot be reached (docs/resources/database.md, "When
 * DevDB is down"): Coder refreshes every resource on each workspace start and
 * stop, so an outage must not fail those builds; the stored state stands.
 */
import type { CallContext } from '../plugin/index.js';
import { DevDbUnreachableError } from './client.js';

/** Runs `work`; when DevDB cannot be reached, `onUnreachable` decides instead. */
export async function whenReachable<T>(
  work: () => Promise<T>,
  onUnreachable: (error: DevDbUnreachableError) => T | Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DevDbUnreachableError) return onUnreachable(error);
    throw error;
  }
}

/** Warns and returns `{}` (a read result that changes nothing); `kept` says what still holds. */
export function keepLastKnownState<M>(
  ctx: Pick<CallContext<unknown>, 'warn'>,
  error: DevDbUnreachableError,
  kept: string,
): Partial<M> {
  ctx.warn(
    'DevDB not reachable: kept the last known state',
    `${error.detail ?? error.message} Nothing was checked or changed: ${kept} The next plan that reaches DevDB checks it again.`,
  );
  return {};
}
