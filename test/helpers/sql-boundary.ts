/**
 * The SQL boundary check (test/provisioning/sql-boundary.test.ts): every statement
 * provisioning/ sends, found with the TypeScript compiler, held against what
 * PostgreSQL's catalogs say about the `provisioning` functions and relations it names.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Queryable } from '../../provisioning/index.js';
import {
  DYNAMIC,
  highestParameter,
  provisioningReferences,
  statementOutput,
  tokenize,
  type CallArgument,
  type Source,
  type StatementOutput,
  type Token,
} from './sql-text.js';

/** One statement in the TypeScript: where it is sent, its text, what the call expects back. */
export interface SqlSite {
  /** `provisioning/x/y.ts:12`. */
  where: string;
  /**
   * `query`/`queryOne` (provisioning/schema/db.ts), `.query` (a pg pool or client), or
   * `text`: a constant naming a provisioning function that no call this scan follows
   * sends (a constant sent elsewhere, a fragment of a statement built at run time).
   */
  via: 'query' | 'queryOne' | '.query' | 'text';
  /** The statement, each `${…}` that is not a constant replaced by DYNAMIC. */
  sql: string;
  /** The number of parameters passed: an array literal's length, 0 when none is passed. */
  params?: number;
  /** The type of the rows the call declares (query<Row>), when it has properties. */
  row?: { type: string; properties: string[] };
}

/** The .ts files under `dir`, recursively. */
export function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Every SQL statement the files send, as the type checker sees them. `extra` adds
 * files that exist only in memory (path → text), for probing the check itself.
 */
export function findSqlSites(
  root: string,
  files: string[],
  extra: ReadonlyMap<string, string> = new Map(),
): SqlSite[] {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options: base } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // Only the given files and the ES library: what the rows' types are built of. Node's
  // and pg's types are left out (unresolved, so `any`): reading them costs seconds.
  const options = { ...base, noResolve: true, types: [], lib: ['lib.es2022.d.ts'] };
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    extra.has(name)
      ? ts.createSourceFile(name, extra.get(name)!, language)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => extra.has(name) || fileExists.call(host, name);
  host.readFile = (name) => extra.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...files, ...extra.keys()], options, host);
  const checker = program.getTypeChecker();
  const dbModule = path.join(root, 'provisioning', 'schema', 'db.ts');

  const sites: SqlSite[] = [];
  const consumed = new Set<ts.Node>();

  /** The text of a string-valued expression, following constants; undefined if not constant. */
  function text(expr: ts.Expression, seen = new Set<ts.Node>()): string | undefined {
    if (seen.has(expr)) return undefined;
    seen.add(expr);
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) {
      return text(expr.expression, seen);
    }
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
      consumed.add(expr);
      return expr.text;
    }
    if (ts.isTemplateExpression(expr)) {
      consumed.add(expr);
      return (
        expr.head.text +
        expr.templateSpans
          .map((span) => (text(span.expression, seen) ?? DYNAMIC) + span.literal.text)
          .join('')
      );
    }
    if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = text(expr.left, seen);
      const right = text(expr.right, seen);
      return left === undefined || right === undefined ? undefined : left + right;
    }
    if (ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) {
      let symbol = checker.getSymbolAtLocation(expr);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const declaration = symbol?.valueDeclaration;
      if (
        declaration &&
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const
      ) {
        return text(declaration.initializer, seen);
      }
      if (declaration && ts.isPropertyAssignment(declaration)) {
        return text(declaration.initializer, seen);
      }
    }
    return undefined;
  }

  /**
   * The rows' type: the call's type argument (query<R>, queryOne<R>, pool.query<R>),
   * else what query/queryOne infer R to be from where their result goes.
   */
  function rowType(call: ts.CallExpression, inferred: boolean): SqlSite['row'] {
    let type: ts.Type | undefined;
    const [argument] = call.typeArguments ?? [];
    if (argument) {
      type = checker.getTypeFromTypeNode(argument);
    } else if (inferred) {
      const signature = checker.getResolvedSignature(call);
      type = signature && checker.getAwaitedType(signature.getReturnType());
      if (type && checker.isArrayType(type)) {
        type = checker.getTypeArguments(type as ts.TypeReference)[0];
      }
    }
    if (!type || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
    const properties = checker.getPropertiesOfType(type).map((p) => p.name);
    return properties.length
      ? { type: checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation), properties }
      : undefined;
  }

  const isDbHelper = (callee: ts.Identifier) => {
    let symbol = checker.getSymbolAtLocation(callee);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.some((d) => path.resolve(d.getSourceFile().fileName) === dbModule);
  };

  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return `${path.relative(root, file.fileName)}:${line + 1}`;
  };

  function visitCall(call: ts.CallExpression) {
    const callee = call.expression;
    let via: SqlSite['via'];
    let sqlArgument: ts.Expression | undefined;
    let paramsArgument: ts.Expression | undefined;
    if (
      ts.isIdentifier(callee) &&
      ['query', 'queryOne'].includes(callee.text) &&
      isDbHelper(callee)
    ) {
      via = callee.text as 'query' | 'queryOne';
      [, sqlArgument, paramsArgument] = call.arguments;
    } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'query') {
      via = '.query';
      [sqlArgument, paramsArgument] = call.arguments;
    } else {
      return;
    }
    if (!sqlArgument) return;
    const sql = text(sqlArgument);
    if (sql === undefined) return;
    let params: number | undefined;
    if (!paramsArgument) params = 0;
    else if (
      ts.isArrayLiteralExpression(paramsArgument) &&
      !paramsArgument.elements.some(ts.isSpreadElement)
    ) {
      params = paramsArgument.elements.length;
    }
    const row = rowType(call, via !== '.query');
    sites.push({
      where: where(call),
      via,
      sql,
      ...(params === undefined ? {} : { params }),
      ...(row ? { row } : {}),
    });
  }

  const sources = program
    .getSourceFiles()
    .filter((file) => files.includes(path.resolve(file.fileName)) || extra.has(file.fileName));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) visitCall(node);
    ts.forEachChild(node, visit);
  };
  for (const file of sources) visit(file);

  // Constants naming a provisioning function that no call above sent (sent from
  // elsewhere, or joined into a statement at run time): checked on their own. Only
  // what a constant holds: a string passed to anything else is a message, not SQL.
  const namesFunction = /\bprovisioning\.\w+\s*\(/;
  const loose = (node: ts.Node): void => {
    const value =
      (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) && node.initializer;
    if (value && !consumed.has(value)) {
      const sql =
        ts.isStringLiteral(value) ||
        ts.isNoSubstitutionTemplateLiteral(value) ||
        ts.isTemplateExpression(value)
          ? text(value)
          : undefined;
      if (sql !== undefined && namesFunction.test(sql)) {
        sites.push({ where: where(value), via: 'text', sql });
      }
    }
    ts.forEachChild(node, loose);
  };
  for (const file of sources) loose(file);
  const order = (site: SqlSite) => site.where.replace(/\d+$/, (line) => line.padStart(6, '0'));
  return sites.sort((a, b) => order(a).localeCompare(order(b)));
}

// ---------------------------------------------------------------------------
// What the database says

export interface Column {
  name: string;
  type: string;
}

export interface FunctionInfo {
  /** `provisioning.f(text, integer)`, for messages. */
  signature: string;
  /** Input arguments (IN, INOUT, VARIADIC) in order; names may be ''. */
  inputs: { name: string; type: string; variadic: boolean }[];
  /** How many of the last inputs have defaults. */
  defaults: number;
  /**
   * The result's columns: the OUT/TABLE arguments, a composite type's attributes, or
   * (a scalar result) undefined with `scalar` set. Undefined and not scalar: a
   * `record` whose columns the call must spell out.
   */
  columns?: Column[];
  scalar: boolean;
}

export interface Catalog {
  functions: Map<string, FunctionInfo[]>;
  /** Tables, views and composite types of schema provisioning, with their columns. */
  relations: Map<string, { kind: string; columns: Column[] }>;
  types: Set<string>;
  /** A cast's type as written → PostgreSQL's name for it (format_type). */
  castTypes: Map<string, string>;
}

/** Reads pg_proc, pg_class/pg_attribute and pg_type for schema provisioning. */
export async function readCatalog(db: Queryable, castTypes: string[]): Promise<Catalog> {
  const functions = await db.query<{
    name: string;
    signature: string;
    nargs: number;
    ndefaults: number;
    argnames: string[];
    argmodes: string[];
    argtypes: string[];
    typtype: string;
    rettype: string;
    composite: Column[];
  }>(
    `SELECT p.proname AS name, p.oid::regprocedure::text AS signature,
            p.pronargs::int AS nargs, p.pronargdefaults::int AS ndefaults,
            coalesce(p.proargnames, '{}') AS argnames,
            coalesce(p.proargmodes::text[], '{}') AS argmodes,
            ARRAY(SELECT format_type(t, NULL)
                    FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]))
                         WITH ORDINALITY u(t, i) ORDER BY i) AS argtypes,
            rt.typtype::text AS typtype, format_type(p.prorettype, NULL) AS rettype,
            coalesce((SELECT json_agg(json_build_object('name', a.attname,
                                                        'type', format_type(a.atttypid, a.atttypmod))
                                      ORDER BY a.attnum)
                        FROM pg_attribute a
                       WHERE a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                     '[]') AS composite
       FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace
       JOIN pg_type rt ON rt.oid = p.prorettype
      WHERE n.nspname = 'provisioning' AND p.prokind IN ('f', 'p')`,
  );
  const relations = await db.query<{ name: string; kind: string; columns: Column[] }>(
    `SELECT c.relname AS name, c.relkind::text AS kind,
            json_agg(json_build_object('name', a.attname,
                                       'type', format_type(a.atttypid, a.atttypmod))
                     ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'provisioning' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
      GROUP BY c.relname, c.relkind`,
  );
  const types = await db.query<{ name: string }>(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'provisioning'`,
  );
  const casts = await db.query<{ written: string; type: string | null }>(
    `SELECT w AS written, format_type(to_regtype(w), NULL) AS type FROM unnest($1::text[]) w`,
    [[...new Set(castTypes)]],
  );
  const catalog: Catalog = {
    functions: new Map(),
    relations: new Map(relations.rows.map((r) => [r.name, { kind: r.kind, columns: r.columns }])),
    types: new Set(types.rows.map((t) => t.name)),
    castTypes: new Map(casts.rows.map((c) => [c.written, c.type ?? `unknown type ${c.written}`])),
  };
  for (const f of functions.rows) {
    const modes = f.argmodes.length ? f.argmodes : f.argtypes.map(() => 'i');
    const all = f.argtypes.map((type, i) => ({ name: f.argnames[i] ?? '', type, mode: modes[i]! }));
    const outputs = all.filter((a) => ['o', 'b', 't'].includes(a.mode));
    const scalar = outputs.length === 0 && f.typtype !== 'c' && f.rettype !== 'record';
    const info: FunctionInfo = {
      signature: `provisioning.${f.signature.replace(/^provisioning\./, '')}`,
      inputs: all
        .filter((a) => ['i', 'b', 'v'].includes(a.mode))
        .map((a) => ({ name: a.name, type: a.type, variadic: a.mode === 'v' })),
      defaults: f.ndefaults,
      scalar,
      ...(outputs.length
        ? { columns: outputs.map(({ name, type }) => ({ name, type })) }
        : f.typtype === 'c'
          ? { columns: f.composite }
          : {}),
    };
    if (info.inputs.length !== f.nargs) throw new Error(`pronargs disagrees for ${info.signature}`);
    catalog.functions.set(f.name, [...(catalog.functions.get(f.name) ?? []), info]);
  }
  return catalog;
}

/** Every `$n::type` cast given straight to a provisioning function: its type as written. */
export function castTypesOf(sites: SqlSite[]): string[] {
  return sites.flatMap((site) =>
    provisioningReferences(site.sql).flatMap(
      (ref) => ref.call?.args?.flatMap((arg) => (arg.cast ? [arg.cast.type] : [])) ?? [],
    ),
  );
}

// ---------------------------------------------------------------------------
// The checks

export interface Outcome {
  /** `file:line: subject: what differs`, one per difference. */
  problems: string[];
  /** The provisioning functions called, by name. */
  functions: Set<string>;
  /** The provisioning relations named (tables, views). */
  relations: Set<string>;
  /** Sites whose row type was held against the statement's columns. */
  rowsChecked: number;
  /** Sites with a row type the check could not read the columns of, and why. */
  rowsSkipped: string[];
}

/** Holds each site against the catalog. */
export function checkSites(sites: SqlSite[], catalog: Catalog): Outcome {
  const outcome: Outcome = {
    problems: [],
    functions: new Set(),
    relations: new Set(),
    rowsChecked: 0,
    rowsSkipped: [],
  };
  for (const site of sites) checkSite(site, catalog, outcome);
  return outcome;
}

function checkSite(site: SqlSite, catalog: Catalog, outcome: Outcome): void {
  const tokens = tokenize(site.sql);
  const problem = (subject: string, message: string) =>
    outcome.problems.push(`${site.where}: ${subject}: ${message}`);
  const references = provisioningReferences(site.sql, tokens);

  for (const ref of references) {
    const subject = `provisioning.${ref.name}${ref.call ? '()' : ''}`;
    if (!ref.call) {
      if (catalog.relations.has(ref.name)) outcome.relations.add(ref.name);
      else if (!catalog.types.has(ref.name) && !catalog.functions.has(ref.name)) {
        problem(subject, 'no table, view or type of that name in schema provisioning');
      }
      continue;
    }
    const overloads = catalog.functions.get(ref.name);
    if (!overloads) {
      problem(subject, 'no function of that name in schema provisioning');
      continue;
    }
    outcome.functions.add(ref.name);
    const args = ref.call.args;
    if (!args || args.some((arg) => arg.tokens.some((t) => t.kind === 'dynamic'))) continue;
    const differences = overloads.map((f) => argumentProblems(f, args, catalog));
    if (differences.some((d) => d.length === 0)) continue;
    const given = `${args.length} argument${args.length === 1 ? '' : 's'} given`;
    problem(
      subject,
      overloads.length === 1
        ? `${differences[0]!.join('; ')} (${given}; the function is ${overloads[0]!.signature})`
        : `no overload takes these ${given}: ${overloads
            .map((f, i) => `${f.signature}: ${differences[i]!.join('; ')}`)
            .join(' | ')}`,
    );
  }

  if (site.params !== undefined && !site.sql.includes(DYNAMIC)) {
    const used = highestParameter(tokens);
    const called = references.find((ref) => ref.call);
    if (used !== site.params) {
      problem(
        called ? `provisioning.${called.name}()` : 'statement',
        `the statement uses $1..$${used} but the call passes ${site.params} value${site.params === 1 ? '' : 's'}`,
      );
    }
  }

  const output = statementOutput(site.sql, tokens);
  checkColumns(output, tokens, catalog, problem);
  if (site.row) checkRow(site, site.row, output, tokens, references, catalog, outcome, problem);
}

/** Each column the statement selects by name is one of its FROM item's (when that is known). */
function checkColumns(
  output: StatementOutput,
  tokens: Token[],
  catalog: Catalog,
  problem: (subject: string, message: string) => void,
): void {
  const named = (source: Source) => (source.kind === 'other' ? undefined : source.name);
  const known = output.sources.map((source) => ({
    source,
    columns: sourceColumns(source, catalog),
  }));
  const complete = known.every((k) => k.columns) && !tokens.some((t) => t.kind === 'dynamic');
  for (const item of output.items) {
    if (item.kind !== 'column' || !item.ref) continue;
    const { qualifier, column } = item.ref;
    if (qualifier !== undefined) {
      const from = known.find((k) => (k.source.alias ?? named(k.source)) === qualifier);
      if (!from?.columns || from.columns.includes(column)) continue;
      problem(
        describe(from.source),
        `selects ${qualifier}.${column}, which is not one of its columns (${from.columns.join(', ')})`,
      );
    } else if (complete && known.length) {
      const all = known.flatMap((k) => [...k.columns!, k.source.alias ?? named(k.source) ?? '']);
      if (all.includes(column)) continue;
      problem(
        known.map((k) => describe(k.source)).join(', '),
        `selects ${column}, which is not a column of ${known.length === 1 ? 'it' : 'any of them'} (${known.flatMap((k) => k.columns!).join(', ')})`,
      );
    }
  }
}

function argumentProblems(f: FunctionInfo, args: CallArgument[], catalog: Catalog): string[] {
  const problems: string[] = [];
  const variadic = f.inputs.some((input) => input.variadic);
  const firstNamed = args.findIndex((arg) => arg.name !== undefined);
  const positional = firstNamed < 0 ? args.length : firstNamed;
  if (args.slice(positional).some((arg) => arg.name === undefined)) {
    problems.push('a positional argument follows a named one');
  }
  const given = new Map<number, CallArgument>();
  args.slice(0, positional).forEach((arg, i) => given.set(i, arg));
  if (positional > f.inputs.length && !variadic) {
    problems.push(`it takes at most ${f.inputs.length}`);
  }
  for (const arg of args.slice(positional)) {
    const index = f.inputs.findIndex((input) => input.name === arg.name);
    if (index < 0) problems.push(`it has no argument named ${arg.name}`);
    else if (given.has(index)) problems.push(`argument ${arg.name} is given twice`);
    else given.set(index, arg);
  }
  const required = f.inputs.length - f.defaults;
  const missing = f.inputs
    .map((input, i) => ({ ...input, label: input.name || `#${i + 1}`, given: given.has(i) }))
    .slice(0, required)
    .filter((input) => !input.given && !input.variadic)
    .map((input) => input.label);
  if (missing.length && firstNamed < 0) {
    problems.push(`it needs at least ${required}`);
  } else if (missing.length) {
    problems.push(`argument${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not given`);
  }
  for (const [index, arg] of given) {
    const input = f.inputs[index];
    if (!arg.cast || !input || input.type.startsWith('any')) continue;
    const cast = catalog.castTypes.get(arg.cast.type) ?? arg.cast.type;
    if (cast !== input.type) {
      problems.push(
        `$${arg.cast.param}::${arg.cast.type} is passed as ${input.name || `argument #${index + 1}`}, of type ${input.type}`,
      );
    }
  }
  return problems;
}

function checkRow(
  site: SqlSite,
  row: NonNullable<SqlSite['row']>,
  output: StatementOutput,
  tokens: Token[],
  references: ReturnType<typeof provisioningReferences>,
  catalog: Catalog,
  outcome: Outcome,
  problem: (subject: string, message: string) => void,
): void {
  const skip = (why: string): void => {
    outcome.rowsSkipped.push(`${site.where}: ${why}`);
  };
  const names: string[] = [];
  for (const item of output.items) {
    if (item.kind === 'unknown') return skip(`cannot name the column ${item.text}`);
    if (item.kind === 'column') {
      if (item.name === DYNAMIC) return skip('a column is built at run time');
      names.push(item.name);
      continue;
    }
    for (const source of item.sources) {
      const columns = sourceColumns(source, catalog);
      if (!columns) return skip(`cannot tell the columns of ${describe(source)}`);
      names.push(...columns);
    }
  }
  if (tokens.some((t) => t.kind === 'dynamic') && names.length < row.properties.length) {
    return skip('the statement is built at run time');
  }
  outcome.rowsChecked++;
  const missing = row.properties.filter((p) => !names.includes(p));
  if (missing.length === 0) return;
  const from = references.find((ref) => ref.call) ?? references[0];
  const subject = from ? `provisioning.${from.name}${from.call ? '()' : ''}` : 'statement';
  problem(
    subject,
    `the row type ${row.type} has ${missing.map((p) => `"${p}"`).join(', ')}, which the statement does not return ` +
      `(it returns ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no columns'})`,
  );
}

function describe(source: Source): string {
  return source.kind === 'other'
    ? `the FROM item ${source.alias ?? '(unnamed)'}`
    : `provisioning.${source.name}`;
}

/** The column names a FROM item gives `*`; undefined when unknown. */
function sourceColumns(source: Source, catalog: Catalog): string[] | undefined {
  if (source.kind === 'relation')
    return catalog.relations.get(source.name)?.columns.map((c) => c.name);
  if (source.kind === 'other') return undefined;
  const overloads = catalog.functions.get(source.name) ?? [];
  const shapes = new Set(
    overloads.map((f) =>
      JSON.stringify(
        f.scalar ? [source.alias ?? source.name] : (f.columns?.map((c) => c.name) ?? null),
      ),
    ),
  );
  if (shapes.size !== 1) return undefined;
  const columns = JSON.parse([...shapes][0]!) as string[] | null;
  if (!columns) return undefined;
  return columns.map((name, i) => source.columnAliases?.[i] ?? name);
}
