/**
 * The dashboard's state, in one object the boot file makes and hands to every
 * page: who is logged in, the latest live snapshot and the feed's status, the
 * databases list's filters (kept while moving between pages), and the one
 * redraw the current page asked for on each snapshot.
 */
import type { Me, Snapshot } from './api/types.js';
import { DEFAULT_FILTERS, type DatabaseFilters } from './pages/databases-filter.js';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export class Store {
  me: Me | null = null;
  snapshot: Snapshot | null = null;
  live: LiveStatus = 'offline';
  readonly databaseFilters: DatabaseFilters = { ...DEFAULT_FILTERS };
  private redraw: (() => void) | null = null;
  private liveShown: ((live: LiveStatus) => void) | null = null;

  get isAdmin(): boolean {
    return this.me?.role === 'admin';
  }

  /** More than one server in the pool (docs/servers.md): pages then say which server a row is on. */
  get manyServers(): boolean {
    return (this.snapshot?.summary.servers?.length ?? 0) > 1;
  }

  /** The current page's redraw on each snapshot; a new page replaces it, null drops it. */
  onSnapshot(redraw: (() => void) | null): void {
    this.redraw = redraw;
  }

  setSnapshot(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.redraw?.();
  }

  /** Where the feed's status is shown (the header's indicator). */
  onLive(show: (live: LiveStatus) => void): void {
    this.liveShown = show;
  }

  setLive(live: LiveStatus): void {
    this.live = live;
    this.liveShown?.(live);
  }

  /** Logged out: forgets who it was and what the feed sent. */
  clearSession(): void {
    this.me = null;
    this.snapshot = null;
  }
}
