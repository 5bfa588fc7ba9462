/**
 * Sizes as people read them, the same in every DevDB output (agent status,
 * CLI tables, docs): IEC binary units with one decimal — `512 B`, `7.4 MiB`,
 * `1.2 GiB`. Pure and import-free: the workspace agent bundles it.
 */
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`formatBytes: expected a byte count ≥ 0, got ${bytes}`);
  }
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  // Compare the rounded value, so 1048575 B is `1.0 MiB`, not `1024.0 KiB`.
  while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}
