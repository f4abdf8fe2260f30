import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { DIALECT_SYNTAX, type DialectSyntax, type QuoteRule, type SqlDialect } from './dialect-syntax.js';

/** The lookup fields a query may name, written `:username`, `:email`, `:objectId` (case-sensitive). */
export const QUERY_PARAMETER_NAMES = ['username', 'email', 'objectId'] as const;

export type QueryParameterName = (typeof QUERY_PARAMETER_NAMES)[number];

/** The parameters a kind of query may name, and how many of them it must use. */
export interface NamedParameterSet<N extends string> {
  /** Which query, for messages: `lookup` → "The legacy lookup query …". */
  purpose: string;
  names: readonly N[];
  /** `some`: at least one name must appear; `every`: each must; `none`: the query takes no parameters (`names` empty). */
  requires: 'some' | 'every' | 'none';
}

/** The sign-in lookup (`LEGACY_QUERY`): at least one of `:username`, `:email`, `:objectId`. */
export const LOOKUP_PARAMETERS: NamedParameterSet<QueryParameterName> = { purpose: 'lookup', names: QUERY_PARAMETER_NAMES, requires: 'some' };

/** A query ready for a driver. */
export interface CompiledQuery<N extends string = QueryParameterName> {
  /** The query with each `:name` replaced by the dialect's placeholder; every other character is kept as is. */
  text: string;
  /** The parameter behind each placeholder, in value-list order (`$1` first for PostgreSQL). */
  order: N[];
}

const NAME_SHOWN_MAX_LENGTH = 64;
const DOLLAR_QUOTE_OPENING = /\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/y;
const PARAMETER_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Translates the named parameters of a configured lookup query into a driver's placeholders. Values are never
 * spliced into the text: the driver sends them apart from the query, so the worst a mis-scanned query can do is
 * fail to prepare (`LEGACY_QUERY_INVALID`), never inject.
 *
 * Steps over string literals, quoted identifiers, comments, PostgreSQL `::` casts, `E'…'` and `$tag$…$tag$`
 * strings, and MySQL `#` comments and backslash escapes, so a `:username` inside any of them stays text.
 * Rejects, as `LEGACY_QUERY_INVALID`: an empty query, an unknown `:name` (named in the message), a query that uses
 * none of the parameters (it would match the same accounts for everyone), the dialect's own positional
 * placeholders (`?`, `$1`), and an unterminated string, identifier or comment.
 *
 * @example
 *   compileNamedQuery('SELECT password_hash FROM users WHERE email = :email OR login = lower(:username)::text', 'postgres')
 *   // { text: 'SELECT password_hash FROM users WHERE email = $1 OR login = lower($2)::text', order: ['email', 'username'] }
 */
export function compileNamedQuery(sql: string, dialect: SqlDialect): CompiledQuery;
export function compileNamedQuery<N extends string>(sql: string, dialect: SqlDialect, parameters: NamedParameterSet<N>): CompiledQuery<N>;
export function compileNamedQuery(sql: string, dialect: SqlDialect, parameters: NamedParameterSet<string> = LOOKUP_PARAMETERS): CompiledQuery<string> {
  const syntax = DIALECT_SYNTAX[dialect];
  const query = `The legacy ${parameters.purpose} query`;
  const known: ReadonlySet<string> = new Set(parameters.names);
  const use = parameters.names.length === 0 ? 'it takes no parameters' : `use ${listOf(parameters.names, 'or')}`;
  if (sql.trim() === '') throw invalid(`${query} is empty.`);
  const chunks: string[] = [];
  const order: string[] = [];
  const numbered = new Map<string, number>();
  let copiedUpTo = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-' && dashStartsComment(sql, i, syntax)) {
      i = endOfLine(sql, i);
    } else if (ch === '#' && syntax.hashComments) {
      i = endOfLine(sql, i);
    } else if (ch === '/' && next === '*') {
      i = endOfBlockComment(sql, i, syntax.nestedBlockComments, query);
    } else if (ch === '$' && syntax.dollarQuotes && !isWordChar(sql.charCodeAt(i - 1)) && startsDollarQuote(sql, i)) {
      i = endOfDollarQuoted(sql, i, query);
    } else if (ch === '$' && syntax.positionalPlaceholder === 'dollar-number' && isDigit(next) && !isWordChar(sql.charCodeAt(i - 1))) {
      throw invalid(`${query} uses a positional parameter ($${next}…) ${at(sql, i)}; ${use}.`);
    } else if (ch === '?' && syntax.positionalPlaceholder === 'question-mark') {
      throw invalid(`${query} uses a positional parameter (?) ${at(sql, i)}; ${use}.`);
    } else if (ch === ':' && next === ':') {
      i += 2; // a PostgreSQL cast, `x::text`
    } else if (ch === ':' && isNameStart(next)) {
      PARAMETER_NAME.lastIndex = i + 1;
      const name = PARAMETER_NAME.exec(sql)![0];
      if (!known.has(name)) throw unknownName(sql, i, name, query, parameters.names);
      chunks.push(sql.slice(copiedUpTo, i), placeholderFor(name, syntax, order, numbered));
      i += 1 + name.length;
      copiedUpTo = i;
    } else {
      const quote = quoteOpenedAt(sql, i, syntax);
      i = quote === undefined ? i + 1 : endOfQuoted(sql, i, quote, quote.backslashEscapes || isEscapeString(sql, i, syntax), query);
    }
  }
  if (parameters.requires === 'some' && order.length === 0) {
    throw invalid(`${query} uses none of ${listOf(parameters.names, 'and')}, so it would find the same accounts for every sign-in.`);
  }
  const missing = parameters.requires === 'every' ? parameters.names.filter((name) => !order.includes(name)) : [];
  if (missing.length > 0) throw invalid(`${query} must use ${listOf(parameters.names, 'and')}; it does not use ${listOf(missing, 'or')}.`);
  chunks.push(sql.slice(copiedUpTo));
  return { text: chunks.join(''), order };
}

function placeholderFor(name: string, syntax: DialectSyntax, order: string[], numbered: Map<string, number>): string {
  const existing = numbered.get(name);
  if (syntax.reusesRepeatedNames && existing !== undefined) return syntax.placeholder(existing);
  numbered.set(name, order.length);
  order.push(name);
  return syntax.placeholder(order.length - 1);
}

function dashStartsComment(sql: string, i: number, syntax: DialectSyntax): boolean {
  if (!syntax.dashCommentNeedsSpace) return true;
  const after = sql.charCodeAt(i + 2);
  return Number.isNaN(after) || after <= 0x20; // MySQL: "--" then whitespace or a control character
}

function endOfLine(sql: string, from: number): number {
  const newline = sql.indexOf('\n', from);
  return newline === -1 ? sql.length : newline;
}

function endOfBlockComment(sql: string, start: number, nested: boolean, query: string): number {
  if (!nested) {
    const close = sql.indexOf('*/', start + 2);
    if (close === -1) throw unterminated(sql, start, 'comment', query);
    return close + 2;
  }
  let depth = 1;
  let i = start + 2;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  throw unterminated(sql, start, 'comment', query);
}

function startsDollarQuote(sql: string, i: number): boolean {
  DOLLAR_QUOTE_OPENING.lastIndex = i;
  return DOLLAR_QUOTE_OPENING.test(sql);
}

function endOfDollarQuoted(sql: string, start: number, query: string): number {
  DOLLAR_QUOTE_OPENING.lastIndex = start;
  const tag = DOLLAR_QUOTE_OPENING.exec(sql)![0];
  const close = sql.indexOf(tag, start + tag.length);
  if (close === -1) throw unterminated(sql, start, 'dollar-quoted string', query);
  return close + tag.length;
}

function quoteOpenedAt(sql: string, i: number, syntax: DialectSyntax): QuoteRule | undefined {
  const ch = sql[i];
  return syntax.quotes.find((rule) => rule.open === ch);
}

/** PostgreSQL `E'…'` (or `e'…'`): the E must stand alone, not end an identifier such as `name'`. */
function isEscapeString(sql: string, i: number, syntax: DialectSyntax): boolean {
  if (!syntax.escapeStringPrefix || sql[i] !== "'") return false;
  const prefix = sql[i - 1];
  return (prefix === 'E' || prefix === 'e') && !isWordChar(sql.charCodeAt(i - 2));
}

function endOfQuoted(sql: string, start: number, rule: QuoteRule, backslashEscapes: boolean, query: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === rule.close) {
      if (rule.open !== rule.close || sql[i + 1] !== rule.close) return i + 1;
      i += 2; // a doubled quote stands for itself
    } else {
      i += 1;
    }
  }
  throw unterminated(sql, start, rule.open === "'" ? 'string' : `quoted text (${rule.open}…${rule.close})`, query);
}

function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_]/.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Letters, digits, `_`, `$` and anything non-ASCII: the characters that continue an identifier. NaN is false. */
function isWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}

function at(sql: string, offset: number): string {
  let line = 1;
  for (let i = sql.indexOf('\n'); i !== -1 && i < offset; i = sql.indexOf('\n', i + 1)) line += 1;
  return `at offset ${offset} (line ${line})`;
}

function unknownName(sql: string, offset: number, name: string, query: string, names: readonly string[]): LegacyStoreError {
  const shown = name.length > NAME_SHOWN_MAX_LENGTH ? `${name.slice(0, NAME_SHOWN_MAX_LENGTH)}…` : name;
  const known = names.length === 0 ? 'it takes no parameters' : `the known parameters are ${listOf(names, 'and')}`;
  return invalid(`${query} uses an unknown parameter :${shown} ${at(sql, offset)}; ${known}.`);
}

function unterminated(sql: string, offset: number, what: string, query: string): LegacyStoreError {
  return invalid(`${query} has an unterminated ${what} starting ${at(sql, offset)}.`);
}

/** `[a, b, c]`, `or` → ":a, :b or :c". */
function listOf(names: readonly string[], conjunction: 'and' | 'or'): string {
  const shown = names.map((name) => `:${name}`);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown.at(-1)}`;
}

function invalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, publicMessage);
}
