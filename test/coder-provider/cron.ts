// coder_script's `cron`, checked the way the real provider's parser (robfig/cron with
// seconds first and an optional day of week) accepts it: 6 fields `sec min hour dom
// month dow`, 5 fields parse as the first five but earn a warning (it looks like a
// Unix crontab missing its seconds), or a descriptor such as `@hourly`.

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);

export interface CronCheck {
  error?: string;
  warning?: string;
}

export function checkCron(expression: string): CronCheck {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (expression.trim().startsWith('@')) {
    if (DESCRIPTORS.has(expression.trim())) return {};
    if (
      fields[0] === '@every' &&
      fields.length === 2 &&
      /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(fields[1]!)
    ) {
      return {};
    }
    return { error: `unrecognized descriptor: ${expression}` };
  }
  if (fields.length < 5 || fields.length > 6) {
    return { error: `expected 5 to 6 fields, found ${fields.length}: ${expression}` };
  }
  for (const [i, text] of fields.entries()) {
    const error = checkField(text, FIELDS[i]!);
    if (error) return { error };
  }
  if (fields.length === 5) {
    return {
      warning:
        `The cron expression '${expression}' appears to be in Unix 5-field format. ` +
        'Coder uses 6-field format (seconds minutes hours day month day-of-week). ' +
        `Consider prefixing with '0 ' to run at the start of each minute: '0 ${expression}'`,
    };
  }
  return {};
}

function checkField(text: string, field: Field): string | undefined {
  for (const part of text.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step))) {
      return `invalid step in the ${field.name} field: ${part}`;
    }
    if (step !== undefined && Number(step) === 0) return `step of zero in the ${field.name} field`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `invalid range in the ${field.name} field: ${range}`;
    const numbers = bounds.map((b) => value(b, field));
    for (const [j, n] of numbers.entries()) {
      if (n === undefined) return `invalid value in the ${field.name} field: ${bounds[j]}`;
      if (n < field.min || n > field.max) {
        return `${field.name} ${n} out of range (${field.min}-${field.max})`;
      }
    }
    if (numbers.length === 2 && numbers[0]! > numbers[1]!) {
      return `${field.name} range ${range} starts after it ends`;
    }
  }
  return undefined;
}

function value(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return field.min + index;
}
