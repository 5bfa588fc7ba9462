/**
 * The live feed: one WebSocket, /api/v1/live, on which the server pushes a
 * snapshot (summary, databases, newest events) every tick; each one goes to the
 * store, which redraws the current page. A closed socket is reopened (at once
 * when the server asks, code 4000; else after a growing delay) once the session
 * is checked still to be valid; if it is not, the page goes back to the login.
 */
import type { Store } from '../store.js';
import { ApiFailure } from './client.js';
import type { Snapshot } from './types.js';

export interface LiveFeedOptions {
  store: Store;
  /** Resolves while the session is valid (GET /api/v1/session). */
  checkSession: () => Promise<unknown>;
  /** The session has ended: the page logs out, saying this. */
  ended: (message: string) => void;
  /** Opens the feed's socket (a WebSocket to /api/v1/live on this page's host). */
  open: () => WebSocket;
  /** Told of each snapshot once the store has it. */
  received?: (snapshot: Snapshot) => void;
}

const MAX_DELAY_MS = 30_000;

export class LiveFeed {
  private socket: WebSocket | null = null;
  /** Reconnections since the last open, for the back-off. */
  private retry = 0;

  constructor(private readonly options: LiveFeedOptions) {}

  /** Opens the feed (logged in, and not open already). */
  connect(): void {
    const { store } = this.options;
    if (this.socket || !store.me) return;
    const socket = this.options.open();
    this.socket = socket;
    store.setLive('connecting');
    socket.addEventListener('open', () => {
      this.retry = 0;
      store.setLive('live');
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Snapshot;
      if (message.type !== 'snapshot') return;
      store.setSnapshot(message);
      this.options.received?.(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.socket = null;
      store.setLive('offline');
      if (!store.me) return;
      // 4000: the server asks for a reconnection (which authenticates again); 4401: token revoked.
      const delay = event.code >= 4000 ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** this.retry++);
      setTimeout(() => this.reopen(), delay);
    });
  }

  /** Closes the feed (logging out). */
  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** A closed socket may mean the session ended: checks it before reopening. */
  private reopen(): void {
    this.options
      .checkSession()
      .then(() => this.connect())
      .catch((error: unknown) => {
        if (error instanceof ApiFailure && error.status === 401) {
          this.options.ended(
            'Your session has ended (logged out, expired or its token revoked): log in again.',
          );
        }
      });
  }
}
