import { describe, expect, test } from 'vitest';
import { formatBytes } from '../../provisioning/contract/index.js';

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;
const TiB = GiB * 1024;

describe('formatBytes: IEC units, one decimal, whole bytes below 1 KiB', () => {
  test.each([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [KiB, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [7_714_816, '7.4 MiB'], // what pg_database_size reports for a fresh database (7534 kB)
    [1.2 * GiB, '1.2 GiB'],
    [3 * TiB, '3.0 TiB'],
    [1024 * TiB, '1.0 PiB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test('a value that rounds up to 1024 moves to the next unit', () => {
    expect(formatBytes(MiB - 1)).toBe('1.0 MiB');
    expect(formatBytes(GiB - 1)).toBe('1.0 GiB');
    expect(formatBytes(1023.9 * KiB)).toBe('1023.9 KiB');
  });

  test('past the largest unit it keeps counting in it', () => {
    expect(formatBytes(2048 * 1024 ** 6)).toBe('2048.0 EiB');
  });

  test('rejects what is not a byte count', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => formatBytes(bad)).toThrow(RangeError);
    }
  });
});
