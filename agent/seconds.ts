/** A duration from a flag, else an environment variable, else the default. */
import type { Flags } from './args.js';
import { AgentError, EXIT } from './errors.js';

export function seconds(flags: Flags, flag: string, envName: string, fallback: number): number {
  const fromFlag = flags[flag];
  if (typeof fromFlag === 'number') return fromFlag;
  const raw = process.env[envName];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new AgentError(
      `${envName}="${raw}" is not a number of seconds`,
      `set ${envName} to a number greater than 0, or unset it (default ${fallback})`,
      EXIT.usage,
    );
  }
  return value;
}
