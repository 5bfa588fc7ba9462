/**
 * Refused requests in the audit trail, without letting a flood of them into it
 * (docs/api.md, "Refused requests"). A refusal (401 to a request that presented
 * a credential, 403, 404) is counted per key — its event action, its actor or
 * client address, its status — in fixed windows of `windowMs`. The first of a
 * key in a window is recorded at once, as the event it always was; the rest are
 * only counted, and when the window ends one more event of the same action and
 * actor sums them up (`detail.refusals`: how many, `since`, `until`). At most
 * `maxKeys` keys are followed per window; refusals under further keys are only
 * counted, into one `api.refused` event at the window's end. So a window adds at
 * most 2 × maxKeys + 1 rows to provisioning.events however many requests are
 * refused; the process log still has every request.
 */

export interface RefusalEvent {
  actor: string;
  action: string;
  database?: string;
  detail: Record<string, unknown>;
}

export interface RefusalLimits {
  /** Length of a counting window (default 5 minutes). */
  windowMs: number;
  /** Keys followed per window (default 100). */
  maxKeys: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = { windowMs: 5 * 60_000, maxKeys: 100 };

/** The action of the event that counts refusals beyond `maxKeys` in a window. */
export const OVERFLOW_ACTION = 'api.refused';

interface Tally {
  event: RefusalEvent;
  /** Refusals after the first. */
  more: number;
  until: Date;
}

export class RefusalCounter {
  private window: number | null = null;
  private readonly tallies = new Map<string, Tally>();
  private overflow: { count: number; keys: Set<string>; since: Date; until: Date } | null = null;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly limits: RefusalLimits,
    private readonly now: () => Date,
    /** Appends one event; failures are its own to report (they must not fail the request). */
    private readonly record: (event: RefusalEvent) => Promise<void>,
  ) {}

  /** Counts one refusal under `key`; recorded at once when it is the key's first in this window. */
  refuse(key: string, event: RefusalEvent): Promise<void> {
    const at = this.now();
    this.roll(at);
    const tally = this.tallies.get(key);
    if (tally) {
      tally.more++;
      tally.until = at;
      return Promise.resolve();
    }
    if (this.tallies.size >= this.limits.maxKeys) {
      this.overflow ??= { count: 0, keys: new Set(), since: at, until: at };
      this.overflow.count++;
      this.overflow.until = at;
      if (this.overflow.keys.size < this.limits.maxKeys) this.overflow.keys.add(key);
      return Promise.resolve();
    }
    this.tallies.set(key, { event, more: 0, until: at });
    return this.write(event);
  }

  /** Ends the window if its time is up (a timer calls this, so a quiet window is summed up too). */
  tick(): void {
    this.roll(this.now());
  }

  /** Sums up the window so far and waits for every event written: at shutdown. */
  async flush(): Promise<void> {
    this.summarize(this.now());
    while (this.writes.size) await Promise.all([...this.writes]);
  }

  private roll(at: Date): void {
    const window = Math.floor(at.getTime() / this.limits.windowMs);
    if (window === this.window) return;
    this.summarize(at);
    this.window = window;
  }

  private summarize(at: Date): void {
    const since = new Date((this.window ?? 0) * this.limits.windowMs);
    for (const { event, more, until } of this.tallies.values()) {
      if (more === 0) continue;
      // No database: the refusals summed up may have named several.
      void this.write({
        actor: event.actor,
        action: event.action,
        detail: {
          status: event.detail.status,
          refusals: more,
          since: since.toISOString(),
          until: until.toISOString(),
          note: 'refused again after the event recorded first in this window',
        },
      });
    }
    if (this.overflow) {
      const { count, keys, since: first, until } = this.overflow;
      void this.write({
        actor: 'api',
        action: OVERFLOW_ACTION,
        detail: {
          refusals: count,
          keys: [...keys].slice(0, 20),
          since: first.toISOString(),
          until: until.toISOString(),
          note: `refused requests beyond the ${this.limits.maxKeys} actors and addresses followed in this window`,
        },
      });
    }
    this.tallies.clear();
    this.overflow = null;
    this.window = Math.floor(at.getTime() / this.limits.windowMs);
  }

  private write(event: RefusalEvent): Promise<void> {
    const written = this.record(event).finally(() => this.writes.delete(written));
    this.writes.add(written);
    return written;
  }
}
