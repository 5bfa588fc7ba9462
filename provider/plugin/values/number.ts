// cty numbers are arbitrary-precision decimals; JavaScript numbers are float64.
// Terraform compares planned values with the configuration exactly, so a number must
// survive the round trip through the provider unchanged:
// - reading: int and float64 become numbers; a decimal string becomes a number when
//   the number writes back as the same decimal, and otherwise stays a string (so
//   12345678901234567890 passes through intact instead of being rounded);
// - writing: safe integers go as msgpack integers, every other number as its shortest
//   decimal string, which cty reads as exactly the decimal the user wrote (0.1 as a
//   float64 would be 0.1000000000000000055…, a different cty number).

export type NumberValue = number | string;

export function readNumber(raw: unknown): NumberValue | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : String(raw);
  if (typeof raw !== 'string') return undefined;
  const decimal = normalizeDecimal(raw);
  if (decimal === undefined) return undefined;
  const asNumber = Number(raw);
  return normalizeDecimal(String(asNumber)) === decimal ? asNumber : raw.trim();
}

export function writeNumber(value: NumberValue): number | string {
  if (typeof value === 'string') return value;
  return Number.isSafeInteger(value) ? value : String(value);
}

/** A canonical form of a decimal: sign, significant digits, exponent ("-123e-2"). */
function normalizeDecimal(text: string): string | undefined {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  if (digits === '') return '0';
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  power += trailing;
  return `${sign === '-' ? '-' : ''}${digits}e${power}`;
}
