/**
 * The dashboard's formatting helpers (server/dashboard/ui/format.ts), without a
 * browser: sizes in IEC units through DevDB's shared formatBytes, times as how
 * long ago, dates.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../provisioning/contract/index.js';
import { bytes, day, duration, settingValue, when } from '../../../server/dashboard/ui/format.js';
import { detailValue, sentence } from '../../../server/dashboard/ui/sentences.js';

describe('bytes', () => {
  it('prints sizes in IEC units, as the CLI and the agent do', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(7.4 * 1024 * 1024)).toBe('7.4 MiB');
    expect(bytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    for (const n of [1, 1023, 1024, 1048575, 123456789]) expect(bytes(n)).toBe(formatBytes(n));
  });

  it('shows an unknown size as a dash, and never throws on a bad one', () => {
    expect(bytes(null)).toBe('—');
    expect(bytes(undefined)).toBe('—');
    expect(bytes(-1)).toBe('—');
    expect(bytes(Number.NaN)).toBe('—');
  });
});

describe('when', () => {
  const now = Date.parse('2025-06-15T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it('says how long ago, coarser as it gets older', () => {
    expect(when(ago(10), now)).toBe('just now');
    expect(when(ago(5 * 60), now)).toBe('5 min ago');
    expect(when(ago(3 * 3600 + 59), now)).toBe('3 h ago');
    expect(when(ago(2 * 86400), now)).toBe('2 days ago');
    expect(when(ago(59 * 86400), now)).toBe('59 days ago');
  });

  it('gives the date after 60 days, and "never" for no time', () => {
    expect(when('2025-01-02T08:00:00Z', now)).toBe('2025-01-02');
    expect(when(null, now)).toBe('never');
    expect(when(undefined, now)).toBe('never');
  });
});

describe('day', () => {
  it('is the UTC date, or a dash', () => {
    expect(day('2025-03-04T23:30:00Z')).toBe('2025-03-04');
    expect(day('2025-03-04T23:30:00-02:00')).toBe('2025-03-05');
    expect(day(null)).toBe('—');
  });
});

describe('duration and setting values', () => {
  it('says lengths of time in words, and settings in their units', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(12_500)).toBe('12.5 s');
    expect(duration(3 * 3600_000 + 20 * 60_000)).toBe('3 h 20 min');
    expect(duration(849971729014)).toBe('9837 days 15 h');
    expect(duration(null)).toBe('—');
    expect(settingValue('30', 'days')).toBe('30 days');
    expect(settingValue('1', 'days')).toBe('1 day');
    expect(settingValue(String(64 * 1024 * 1024), 'bytes')).toBe('64.0 MiB');
    expect(settingValue('10', 'seconds')).toBe('10 s');
    expect(settingValue(null, 'url')).toBe('none');
  });
});

describe('sentence', () => {
  const event = (action: string, detail: Record<string, unknown> = {}, database = 'dev_bob') => ({
    actor: 'alice',
    action,
    database,
    workspaceId: null,
    detail,
  });

  it('says who did what to which database', () => {
    expect(
      sentence(event('database.restore_backup', { backup_id: 12, from_database: 'dev_bob' })),
    ).toBe('alice restored dev_bob from backup 12');
    expect(
      sentence(
        event('database.restore_backup', { backup_id: 12, from_database: 'dev_bob' }, 'team_copy'),
      ),
    ).toBe('alice restored team_copy from backup 12 of dev_bob');
    expect(sentence(event('policy.state', { from: 'idle', to: 'stale' }))).toBe(
      'alice moved dev_bob from idle to stale in the policy',
    );
    expect(sentence(event('database.archive.failed', { status: 409, message: 'it is busy' }))).toBe(
      "alice's database archive on dev_bob was refused: it is busy",
    );
    expect(sentence(event('something.new'))).toBe('alice: something new on dev_bob');
  });

  it('gives detail values in words, never JSON', () => {
    expect(detailValue('session_time_ms', 849971729014)).toBe('9837 days 15 h');
    expect(detailValue('bytes', 1536)).toBe('1.5 KiB');
    expect(detailValue('changes', { backup_keep_daily: '9' })).toBe('backup keep daily: 9');
  });
});
