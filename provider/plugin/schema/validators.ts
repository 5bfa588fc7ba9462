/** Returns a message when the value is not acceptable. Never echo the value: it may be secret. */
export type Validator<T> = (value: T) => string | undefined;

// Common validators. Their messages say what is allowed and never repeat the value,
// which may be secret.

export function oneOf(...allowed: readonly string[]): Validator<string> {
  return (value) =>
    allowed.includes(value)
      ? undefined
      : `Must be one of: ${allowed.map((a) => `"${a}"`).join(', ')}.`;
}

export function matches(pattern: RegExp, description: string): Validator<string> {
  return (value) => (pattern.test(value) ? undefined : `Must be ${description}.`);
}

export function lengthBetween(min: number, max: number): Validator<string> {
  return (value) =>
    value.length >= min && value.length <= max
      ? undefined
      : `Must be between ${min} and ${max} characters long.`;
}

export function between(min: number, max: number): Validator<number> {
  return (value) =>
    value >= min && value <= max ? undefined : `Must be between ${min} and ${max}.`;
}
