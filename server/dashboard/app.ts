/**
 * What every page is given (made once by main.ts): the state, the API client,
 * and the two session events a page can cause.
 */
import type { ApiClient } from './api/client.js';
import type { Store } from './store.js';

export interface App {
  readonly store: Store;
  readonly api: ApiClient;
  /** Opens the live feed (after logging in; nothing while it is open). */
  connectLive(): void;
  /** The session has ended (logged out, expired, revoked): back to the login, saying `message`. */
  loggedOut(message?: string): void;
}
