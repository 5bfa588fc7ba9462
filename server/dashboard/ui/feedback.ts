/**
 * Telling the user how things went: a notice (an error or an all-clear), the
 * flash area under the header, and act(), which runs what a button does and
 * flashes its error or its `done`.
 */
import { h } from './dom.js';

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function notice(text: string, kind: 'error' | 'ok' = 'error'): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
}

export function flash(text: string, kind: 'error' | 'ok' = 'error'): void {
  document.getElementById('flash')?.replaceChildren(notice(text, kind));
}

/** Runs an action, shows its error (or `done`) in the flash area; returns whether it worked. */
export async function act(what: () => Promise<unknown>, done?: string): Promise<boolean> {
  try {
    await what();
    if (done) flash(done, 'ok');
    return true;
  } catch (error) {
    flash(errorText(error));
    return false;
  }
}

/** act(), then `after` (a redraw) once the action worked. */
export async function actThen(
  what: () => Promise<unknown>,
  done: string,
  after: () => Promise<void>,
): Promise<void> {
  if (await act(what, done)) await after();
}
