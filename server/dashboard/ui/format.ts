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
