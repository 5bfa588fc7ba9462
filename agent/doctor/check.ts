/** A doctor finding: what was checked, how it went, and what to do when it went wrong. */
export type Outcome = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  check: string;
  outcome: Outcome;
  detail: string;
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, outcome: 'ok', detail });
export const fail = (check: string, detail: string, fix: string): Finding => ({
  check,
  outcome: 'fail',
  detail,
  fix,
});
export const warn = (check: string, detail: string, fix: string): Finding => ({
  check,
  outcome: 'warn',
  detail,
  fix,
});
export const skip = (check: string, detail: string): Finding => ({
  check,
  outcome: 'skip',
  detail,
});
