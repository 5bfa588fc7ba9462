/**
 * A doctor finding: what was checked, how it went, and what to do when it went
 * wrong. Only `fail` is a problem; `warn` works with a caveat, `hint` is advice.
 */
export type Outcome = 'ok' | 'warn' | 'hint' | 'fail' | 'skip';

export interface Finding {
  check: string;
  outcome: Outcome;
  detail: string;
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, outcome: 'ok', detail });
const withFix =
  (outcome: 'fail' | 'warn' | 'hint') =>
  (check: string, detail: string, fix: string): Finding => ({ check, outcome, detail, fix });
export const fail = withFix('fail');
export const warn = withFix('warn');
export const hint = withFix('hint');
export const skip = (check: string, detail: string): Finding => ({
  check,
  outcome: 'skip',
  detail,
});
