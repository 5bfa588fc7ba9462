/**
 * Just enough of PostgreSQL's syntax to read the statements provisioning/ sends
 * (test/provisioning/sql-boundary.test.ts): tokens, the `provisioning.<name>`
 * objects a statement names with the arguments of each call, and the names of the
 * columns it returns. It reads DevDB's own statements, not any SQL: what it cannot
 * follow it says it cannot (`undefined`), and the check skips rather than guesses.
 */

/** Stands in the SQL text for a `${…}` whose value is not a constant. */
export const DYNAMIC = '\u0000';

export interface Token {
  kind: 'ident' | 'param' | 'string' | 'number' | 'op' | 'punct' | 'dynamic';
  /** Identifiers: lower-cased unless quoted; parameters: the number; else the text. */
  value: string;
  quoted?: boolean;
  start: number;
  end: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OP_CHAR = /[+\-*/<>=~!@#%^&|`?:]/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], value: string, start: number, quoted?: boolean) =>
    tokens.push({ kind, value, start, end: i, ...(quoted ? { quoted } : {}) });
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === DYNAMIC) {
      i++;
      push('dynamic', DYNAMIC, start);
    } else if (sql.startsWith('--', i)) {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'") {
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i++;
      push('string', sql.slice(start, i), start);
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < sql.length && !(sql[i] === '"' && sql[i + 1] !== '"')) {
        value += sql[i];
        i += sql[i] === '"' ? 2 : 1;
      }
      i++;
      push('ident', value, start, true);
    } else if (c === '$' && /\d/.test(sql[i + 1] ?? '')) {
      i++;
      while (/\d/.test(sql[i] ?? '')) i++;
      push('param', sql.slice(start + 1, i), start);
    } else if (c === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '')) {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i))?.[0] ?? '$';
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? sql.length : close + tag.length;
      push('string', sql.slice(start, i), start);
    } else if (IDENT_START.test(c)) {
      while (i < sql.length && IDENT_PART.test(sql[i]!)) i++;
      push('ident', sql.slice(start, i).toLowerCase(), start);
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(sql[i + 1] ?? ''))) {
      while (/[\d.eE]/.test(sql[i] ?? '')) i++;
      push('number', sql.slice(start, i), start);
    } else if ('(),[];.'.includes(c)) {
      i++;
      push('punct', c, start);
    } else if (OP_CHAR.test(c)) {
      // `::`, `=>` and `:=` alone; any other run of operator characters is one operator.
      const two = sql.slice(i, i + 2);
      if (two === '::' || two === '=>' || two === ':=') i += 2;
      else while (i < sql.length && OP_CHAR.test(sql[i]!) && !sql.startsWith('--', i)) i++;
      push('op', sql.slice(start, i), start);
    } else {
      i++;
      push('op', c, start);
    }
  }
  return tokens;
}

const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.value === p;
const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.value === op;
/** An unquoted keyword (or identifier) `word`. */
const isWord = (t: Token | undefined, ...words: string[]) =>
  t?.kind === 'ident' && !t.quoted && words.includes(t.value);

/** The index of the bracket closing the one at `open` (`(` or `[`), or -1. */
export function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.value === '(' || t.value === '[') depth++;
    else if (t.value === ')' || t.value === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Each token's bracket depth, the brackets themselves at the outer depth. */
function depths(tokens: Token[]): number[] {
  let depth = 0;
  return tokens.map((t) => {
    if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    const d = depth;
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    return d;
  });
}

/** `tokens` split at the commas outside brackets. */
export function splitTopLevel(tokens: Token[]): Token[][] {
  if (tokens.length === 0) return [];
  const d = depths(tokens);
  const parts: Token[][] = [[]];
  tokens.forEach((t, i) => {
    if (d[i] === 0 && isPunct(t, ',')) parts.push([]);
    else parts.at(-1)!.push(t);
  });
  return parts;
}

export interface CallArgument {
  /** `name => value`: the argument's name. */
  name?: string;
  tokens: Token[];
  /** A value that is exactly `$n::type`: n and the type as written. */
  cast?: { param: number; type: string };
}

export interface ObjectReference {
  name: string;
  /** Offset of `provisioning` in the SQL text. */
  at: number;
  /** A call `provisioning.name(…)`: its arguments; undefined when they run past the text. */
  call?: { args: CallArgument[] | undefined };
}

/** Every `provisioning.<name>` a statement names; calls with their arguments. */
export function provisioningReferences(sql: string, tokens = tokenize(sql)): ObjectReference[] {
  const found: ObjectReference[] = [];
  tokens.forEach((t, i) => {
    if (!isWord(t, 'provisioning') || !isPunct(tokens[i + 1], '.')) return;
    const nameToken = tokens[i + 2];
    if (nameToken?.kind !== 'ident') return;
    const reference: ObjectReference = { name: nameToken.value, at: t.start };
    // `INSERT INTO provisioning.t (a, b)`, `CREATE TABLE provisioning.t (…)`: a table's columns.
    const namesTable = isWord(tokens[i - 1], 'into', 'table', 'exists', 'references', 'on');
    if (isPunct(tokens[i + 3], '(') && !namesTable) {
      const close = closing(tokens, i + 3);
      reference.call = {
        args:
          close < 0
            ? undefined
            : splitTopLevel(tokens.slice(i + 4, close)).map((arg) => callArgument(sql, arg)),
      };
    }
    found.push(reference);
  });
  return found;
}

function callArgument(sql: string, tokens: Token[]): CallArgument {
  const named = tokens[0]?.kind === 'ident' && (isOp(tokens[1], '=>') || isOp(tokens[1], ':='));
  const value = named ? tokens.slice(2) : tokens;
  const argument: CallArgument = { tokens: value, ...(named ? { name: tokens[0]!.value } : {}) };
  if (value[0]?.kind === 'param' && isOp(value[1], '::') && value.length > 2) {
    const rest = value.slice(2);
    if (rest.every((t) => t.kind === 'ident' || t.kind === 'number' || t.kind === 'punct')) {
      argument.cast = {
        param: Number(value[0].value),
        type: sql.slice(rest[0]!.start, rest.at(-1)!.end),
      };
    }
  }
  return argument;
}

/** The highest `$n` a statement uses (0 for none). */
export function highestParameter(tokens: Token[]): number {
  return Math.max(0, ...tokens.filter((t) => t.kind === 'param').map((t) => Number(t.value)));
}

/** Where a statement's columns come from, as far as `*` needs to know. */
export type Source =
  | { kind: 'function'; name: string; alias?: string; columnAliases?: string[] }
  | { kind: 'relation'; name: string; alias?: string }
  | { kind: 'other'; alias?: string };

/** One column of a statement's result, named as PostgreSQL names it. */
export type OutputItem =
  /** `ref`: the expression is a plain column reference `[qualifier.]column` (casts aside). */
  | { kind: 'column'; name: string; ref?: ColumnReference }
  /** `*` or `alias.*`: the columns of these sources (all the FROM list's for `*`). */
  | { kind: 'star'; sources: Source[] }
  /** A column whose name this reader cannot tell (the check then skips the statement). */
  | { kind: 'unknown'; text: string };

export interface ColumnReference {
  qualifier?: string;
  column: string;
}

export interface StatementOutput {
  /** The verb: select, insert, update, delete, values, or another statement's first word. */
  verb: string;
  /** The returned columns; [] for a statement that returns none. */
  items: OutputItem[];
  /** Where its columns come from: the FROM list (the table, for RETURNING). */
  sources: Source[];
}

const CLAUSE_END = [
  'from',
  'into',
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'fetch',
  'for',
];
const FROM_END = CLAUSE_END.filter((w) => w !== 'from' && w !== 'into');
const JOIN_WORDS = ['join', 'left', 'right', 'full', 'inner', 'cross', 'outer', 'natural'];
/** Words that end an expression rather than name its column. */
const NOT_ALIASES = ['end', 'null', 'true', 'false', 'distinct', 'all', 'asc', 'desc'];

/** The columns a statement returns: its (first) SELECT list, or its RETURNING list. */
export function statementOutput(sql: string, tokens = tokenize(sql)): StatementOutput {
  const d = depths(tokens);
  const statementEnd = tokens.findIndex((t, i) => d[i] === 0 && isPunct(t, ';'));
  const end = statementEnd < 0 ? tokens.length : statementEnd;
  // A keyword is one unless it is a column's alias (`from_state AS from`).
  const topWord = (from: number, words: string[]) => {
    for (let i = from; i < end; i++) {
      if (d[i] === 0 && isWord(tokens[i], ...words) && !isWord(tokens[i - 1], 'as')) return i;
    }
    return -1;
  };
  // After any WITH list (its bodies are in brackets), the first top-level verb.
  const verbAt = topWord(0, ['select', 'insert', 'update', 'delete', 'values']);
  if (verbAt < 0) {
    const verb = tokens[0]?.value ?? '';
    // `SHOW name` returns one column, named after the setting.
    if (verb === 'show' && tokens[1]?.kind === 'ident') {
      return { verb, items: [{ kind: 'column', name: tokens[1].value }], sources: [] };
    }
    const returnsRows = ![
      'begin',
      'commit',
      'rollback',
      'savepoint',
      'release',
      'set',
      'create',
      'drop',
      'alter',
      'grant',
      'revoke',
      'lock',
    ].includes(verb);
    return { verb, items: returnsRows ? [{ kind: 'unknown', text: sql }] : [], sources: [] };
  }
  const verb = tokens[verbAt]!.value;
  if (verb === 'values') return { verb, items: [{ kind: 'unknown', text: 'VALUES' }], sources: [] };
  if (verb !== 'select') {
    const returning = topWord(verbAt, ['returning']);
    if (returning < 0) return { verb, items: [], sources: [] };
    const target = tokens.findIndex((t, i) => i > verbAt && isWord(t, 'provisioning'));
    const sources: Source[] =
      target > 0 && tokens[target + 2]?.kind === 'ident'
        ? [{ kind: 'relation', name: tokens[target + 2]!.value }]
        : [{ kind: 'other' }];
    return { verb, items: selectList(sql, tokens.slice(returning + 1, end), sources), sources };
  }
  let listStart = verbAt + 1;
  if (isWord(tokens[listStart], 'all')) listStart++;
  if (isWord(tokens[listStart], 'distinct')) {
    listStart++;
    if (isWord(tokens[listStart], 'on') && isPunct(tokens[listStart + 1], '(')) {
      listStart = closing(tokens, listStart + 1) + 1;
    }
  }
  let listEnd = topWord(listStart, CLAUSE_END);
  if (listEnd < 0) listEnd = end;
  let sources: Source[] = [];
  if (isWord(tokens[listEnd], 'from')) {
    let fromEnd = topWord(listEnd + 1, FROM_END);
    if (fromEnd < 0) fromEnd = end;
    sources = fromItems(tokens.slice(listEnd + 1, fromEnd));
  }
  return { verb, items: selectList(sql, tokens.slice(listStart, listEnd), sources), sources };
}

function selectList(sql: string, tokens: Token[], sources: Source[]): OutputItem[] {
  return splitTopLevel(tokens).map((item): OutputItem => {
    const text = item.length ? sql.slice(item[0]!.start, item.at(-1)!.end) : '';
    if (item.length === 1 && isOp(item[0], '*')) return { kind: 'star', sources };
    if (item.length === 3 && item[0]!.kind === 'ident' && isPunct(item[1], '.')) {
      if (isOp(item[2], '*')) {
        const source = sources.find((s) => (s.alias ?? sourceName(s)) === item[0]!.value);
        return { kind: 'star', sources: [source ?? { kind: 'other' }] };
      }
    }
    const last = item.at(-1);
    const beforeLast = item.at(-2);
    if (last?.kind === 'ident' && isWord(beforeLast, 'as')) {
      return withReference({ kind: 'column', name: last.value }, item.slice(0, -2));
    }
    if (
      last?.kind === 'ident' &&
      item.length > 1 &&
      !isWord(last, ...NOT_ALIASES) &&
      !item.some((t, i) => i < item.length - 1 && isOp(t, '::')) &&
      (isPunct(beforeLast, ')') || isPunct(beforeLast, ']') || beforeLast?.kind === 'string')
    ) {
      return withReference({ kind: 'column', name: last.value }, item.slice(0, -1));
    }
    const name = columnName(item);
    return name === undefined
      ? { kind: 'unknown', text }
      : withReference({ kind: 'column', name }, item);
  });
}

/** SQL's value functions and constants, which look like column names. */
const NOT_COLUMNS = [
  'true',
  'false',
  'null',
  'user',
  'current_user',
  'session_user',
  'current_role',
  'current_catalog',
  'current_schema',
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
];

/** The item, with `ref` when `expression` is `[qualifier.]column`, casts aside. */
function withReference(item: OutputItem & { kind: 'column' }, expression: Token[]): OutputItem {
  const d = depths(expression);
  const cast = expression.findIndex((t, i) => d[i] === 0 && isOp(t, '::'));
  const tokens = cast < 0 ? expression : expression.slice(0, cast);
  const [a, dot, b] = tokens;
  if (tokens.length === 1 && a?.kind === 'ident' && !isWord(a, ...NOT_COLUMNS)) {
    return { ...item, ref: { column: a.value } };
  }
  if (tokens.length === 3 && a?.kind === 'ident' && isPunct(dot, '.') && b?.kind === 'ident') {
    return { ...item, ref: { qualifier: a.value, column: b.value } };
  }
  return item;
}

/** PostgreSQL's name for an unaliased result column (FigureColname), for the common shapes. */
function columnName(tokens: Token[]): string | undefined {
  const d = depths(tokens);
  const cast = tokens.findIndex((t, i) => d[i] === 0 && isOp(t, '::'));
  if (cast > 0) return columnName(tokens.slice(0, cast));
  const first = tokens[0];
  if (!first) return undefined;
  if (isPunct(first, '(') && closing(tokens, 0) === tokens.length - 1) {
    const inner = tokens.slice(1, -1);
    if (isWord(inner[0], 'select')) {
      const [only] = statementOutput('', inner).items;
      return only?.kind === 'column' ? only.name : undefined;
    }
    return columnName(inner);
  }
  if (isWord(first, 'case')) return 'case';
  if (isWord(first, 'array')) return 'array';
  if (isWord(first, 'exists')) return 'exists';
  // A column reference `a.b.c`, or a function call `s.f(…)` (its name, whatever follows).
  let i = 0;
  while (tokens[i]?.kind === 'ident' && isPunct(tokens[i + 1], '.')) i += 2;
  const name = tokens[i];
  if (name?.kind !== 'ident') return undefined;
  if (i === tokens.length - 1) return name.value;
  if (isPunct(tokens[i + 1], '(')) {
    const close = closing(tokens, i + 1);
    const rest = tokens.slice(close + 1);
    // `f(…)`, `f(…) FILTER (…)`, `f(…) OVER (…)`: named after f; anything more is an expression.
    if (rest.length === 0 || isWord(rest[0], 'filter', 'over')) return name.value;
  }
  return undefined;
}

function sourceName(source: Source): string | undefined {
  return source.kind === 'other' ? undefined : source.name;
}

/** The FROM list: each item's provisioning function or relation and its alias. */
function fromItems(tokens: Token[]): Source[] {
  const d = depths(tokens);
  const items: Token[][] = [[]];
  tokens.forEach((t, i) => {
    const split = d[i] === 0 && (isPunct(t, ',') || isWord(t, ...JOIN_WORDS));
    if (split) {
      if (items.at(-1)!.length) items.push([]);
    } else {
      items.at(-1)!.push(t);
    }
  });
  return items.filter((item) => item.length).map(fromItem);
}

function fromItem(item: Token[]): Source {
  const d = depths(item);
  const condition = item.findIndex((t, i) => d[i] === 0 && isWord(t, 'on', 'using'));
  let tokens = condition < 0 ? item : item.slice(0, condition);
  if (isWord(tokens[0], 'lateral', 'only')) tokens = tokens.slice(1);
  let rest: Token[];
  let source: Source;
  if (isWord(tokens[0], 'provisioning') && isPunct(tokens[1], '.') && tokens[2]?.kind === 'ident') {
    if (isPunct(tokens[3], '(')) {
      source = { kind: 'function', name: tokens[2].value };
      rest = tokens.slice(closing(tokens, 3) + 1);
    } else {
      source = { kind: 'relation', name: tokens[2].value };
      rest = tokens.slice(3);
    }
  } else {
    source = { kind: 'other' };
    const close = isPunct(tokens[0], '(') ? closing(tokens, 0) : -1;
    let i = close >= 0 ? close + 1 : 0;
    if (close < 0) {
      while (tokens[i]?.kind === 'ident' && isPunct(tokens[i + 1], '.')) i += 2;
      i += isPunct(tokens[i + 1], '(') ? closing(tokens, i + 1) - i + 1 : 1;
    }
    rest = tokens.slice(i);
  }
  if (isWord(rest[0], 'with') && isWord(rest[1], 'ordinality')) rest = rest.slice(2);
  if (isWord(rest[0], 'as')) rest = rest.slice(1);
  if (rest[0]?.kind === 'ident') {
    source.alias = rest[0].value;
    if (source.kind === 'function' && isPunct(rest[1], '(')) {
      source.columnAliases = splitTopLevel(rest.slice(2, closing(rest, 1))).map(
        (column) => column[0]?.value ?? '',
      );
    }
  }
  return source;
}
