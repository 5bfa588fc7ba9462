/**
 * Values as the dashboard shows them: sizes in IEC units through DevDB's one
 * formatter (provisioning/contract/units.ts, import-free, so esbuild bundles it for the
 * browser: `7.4 MiB` here as in the CLI and the agent), times as how long ago,
 * and dates. Pure: tests call them without a browser.
 */
import { formatBytes } from '../../../provisioning/contract/units.js';

/** A size; `—` when unknown. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  return formatBytes(n);
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long ago `iso` was (`5 min ago`, `3 days ago`), its date after 60 days; `never` for none. */
export function when(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  const ago = (now - date.getTime()) / 1000;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < DAY * 60) return `${Math.floor(ago / DAY)} days ago`;
  return day(iso);
}

/** The date of `iso` (UTC, YYYY-MM-DD); `—` for none. */
export function day(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 10) : '—';
}

/** A length of time in milliseconds as people read it (`850 ms`, `12.5 s`, `3 h 20 min`, `9837 days 15 h`). */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < MINUTE) return `${Number(s.toFixed(1))} s`;
  const parts = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
  if (s < HOUR) return parts(Math.floor(s / MINUTE), 'min', Math.floor(s % MINUTE), 's');
  if (s < DAY) return parts(Math.floor(s / HOUR), 'h', Math.floor((s % HOUR) / MINUTE), 'min');
  const days = Math.floor(s / DAY);
  return parts(days, days === 1 ? 'day' : 'days', Math.floor((s % DAY) / HOUR), 'h');
}

/** A date and time, UTC, with its zone (`2026-12-07 22:40 UTC`). */
export function stamp(iso: string | null | undefined): string {
  return iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';
}

/** How many of a thing (`1 day`, `3 days`). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A setting's value in its unit (`30 days`, `64.0 MiB`, `10 s`), as the Settings page says it. */
export function settingValue(value: string | null, unit: string): string {
  if (value === null || value === '') return 'none';
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  if (unit === 'days') return count(n, 'day');
  if (unit === 'bytes') return bytes(n);
  if (unit === 'seconds') return duration(n * 1000);
  return value;
}
