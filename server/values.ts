/** Option values of the admin commands: dates, durations, counts. Each refuses with what is allowed. */
import { InvalidArgumentError } from 'commander';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DURATION = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A date (`2025-12-31`: to the end of that day, UTC) or a date and time
 * (`2025-12-31T18:00Z`, any ISO 8601 form Date accepts).
 */
export function untilDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new InvalidArgumentError('must be a date (2025-12-31) or an ISO 8601 date and time');
  }
  return DATE_ONLY.test(value) ? new Date(date.getTime() + UNIT_MS.d - 1) : date;
}

/** `7d`, `12h`, `30m`, `2w` before `now`, or a date (`2025-01-31`: its start, UTC). */
export function sinceValue(value: string, now = new Date()): Date {
  const duration = DURATION.exec(value);
  if (duration) {
    return new Date(
      now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS],
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new InvalidArgumentError(
      'must be a duration back from now (30m, 12h, 7d, 2w) or a date (2025-01-31, or ISO 8601)',
    );
  }
  return date;
}

/** A whole number from 1 up. */
export function positiveCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('must be a whole number ≥ 1');
  }
  return Number(value);
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size: bytes, or a number with a unit (500GB, 1.5TiB); at least 1 byte. */
export function byteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = BYTE_UNITS[(match?.[2] || 'b').toLowerCase()];
  const bytes = match && unit ? Math.round(Number(match[1]) * unit) : NaN;
  if (!(bytes >= 1)) {
    throw new InvalidArgumentError(
      'must be a size: bytes, or a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (e.g. 500GB)',
    );
  }
  return bytes;
}
