import { LegacyStoreError, LegacyStoreErrorCode } from '../errors.js';
import { DIALECT_SYNTAX, type DialectSyntax, type QuoteRule, type SqlDialect } from './dialect-syntax.js';

/** The lookup fields a query may name, written `:username`, `:email`, `:objectId` (case-sensitive). */
export const QUERY_PARAMETER_NAMES = ['username', 'email', 'objectId'] as const;

export type QueryParameterName = (typeof QUERY_PARAMETER_NAMES)[number];

/** A lookup query ready for a driver. */
export interface CompiledQuery {
  /** The query with each `:name` replaced by the dialect's placeholder; every other character is kept as is. */
  text: string;
  /** The lookup field behind each placeholder, in value-list order (`$1` first for PostgreSQL). */
  order: QueryParameterName[];
}

const KNOWN_NAMES: ReadonlySet<string> = new Set(QUERY_PARAMETER_NAMES);
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
export function compileNamedQuery(sql: string, dialect: SqlDialect): CompiledQuery {
  const syntax = DIALECT_SYNTAX[dialect];
  if (sql.trim() === '') throw invalid('The legacy lookup query is empty.');
  const chunks: string[] = [];
  const order: QueryParameterName[] = [];
  const numbered = new Map<QueryParameterName, number>();
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
      i = endOfBlockComment(sql, i, syntax.nestedBlockComments);
    } else if (ch === '$' && syntax.dollarQuotes && !isWordChar(sql.charCodeAt(i - 1)) && startsDollarQuote(sql, i)) {
      i = endOfDollarQuoted(sql, i);
    } else if (ch === '$' && syntax.positionalPlaceholder === 'dollar-number' && isDigit(next) && !isWordChar(sql.charCodeAt(i - 1))) {
      throw invalid(`The legacy lookup query uses a positional parameter ($${next}…) ${at(sql, i)}; use :username, :email or :objectId.`);
    } else if (ch === '?' && syntax.positionalPlaceholder === 'question-mark') {
      throw invalid(`The legacy lookup query uses a positional parameter (?) ${at(sql, i)}; use :username, :email or :objectId.`);
    } else if (ch === ':' && next === ':') {
      i += 2; // a PostgreSQL cast, `x::text`
    } else if (ch === ':' && isNameStart(next)) {
      PARAMETER_NAME.lastIndex = i + 1;
      const name = PARAMETER_NAME.exec(sql)![0];
      if (!KNOWN_NAMES.has(name)) throw unknownName(sql, i, name);
      const known = name as QueryParameterName;
      chunks.push(sql.slice(copiedUpTo, i), placeholderFor(known, syntax, order, numbered));
      i += 1 + name.length;
      copiedUpTo = i;
    } else {
      const quote = quoteOpenedAt(sql, i, syntax);
      i = quote === undefined ? i + 1 : endOfQuoted(sql, i, quote, quote.backslashEscapes || isEscapeString(sql, i, syntax));
    }
  }
  if (order.length === 0) {
    throw invalid('The legacy lookup query uses none of :username, :email and :objectId, so it would find the same accounts for every sign-in.');
  }
  chunks.push(sql.slice(copiedUpTo));
  return { text: chunks.join(''), order };
}

function placeholderFor(
  name: QueryParameterName,
  syntax: DialectSyntax,
  order: QueryParameterName[],
  numbered: Map<QueryParameterName, number>,
): string {
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

function endOfBlockComment(sql: string, start: number, nested: boolean): number {
  if (!nested) {
    const close = sql.indexOf('*/', start + 2);
    if (close === -1) throw unterminated(sql, start, 'comment');
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
  throw unterminated(sql, start, 'comment');
}

function startsDollarQuote(sql: string, i: number): boolean {
  DOLLAR_QUOTE_OPENING.lastIndex = i;
  return DOLLAR_QUOTE_OPENING.test(sql);
}

function endOfDollarQuoted(sql: string, start: number): number {
  DOLLAR_QUOTE_OPENING.lastIndex = start;
  const tag = DOLLAR_QUOTE_OPENING.exec(sql)![0];
  const close = sql.indexOf(tag, start + tag.length);
  if (close === -1) throw unterminated(sql, start, 'dollar-quoted string');
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

function endOfQuoted(sql: string, start: number, rule: QuoteRule, backslashEscapes: boolean): number {
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
  throw unterminated(sql, start, rule.open === "'" ? 'string' : `quoted text (${rule.open}…${rule.close})`);
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

function unknownName(sql: string, offset: number, name: string): LegacyStoreError {
  const shown = name.length > NAME_SHOWN_MAX_LENGTH ? `${name.slice(0, NAME_SHOWN_MAX_LENGTH)}…` : name;
  return invalid(`The legacy lookup query uses an unknown parameter :${shown} ${at(sql, offset)}; the known parameters are :username, :email and :objectId.`);
}

function unterminated(sql: string, offset: number, what: string): LegacyStoreError {
  return invalid(`The legacy lookup query has an unterminated ${what} starting ${at(sql, offset)}.`);
}

function invalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, publicMessage);
}
