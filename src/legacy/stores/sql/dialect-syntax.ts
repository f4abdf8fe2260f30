/** The SQL dialects a legacy store query can be written in. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** A quoted region the parameter scanner must step over: a string literal or a quoted identifier. */
export interface QuoteRule {
  open: string;
  close: string;
  /** A backslash escapes the next character (MySQL strings, PostgreSQL `E'…'` strings). */
  backslashEscapes: boolean;
}

/**
 * What the named-parameter scanner needs to know about a dialect's lexical rules. Data, not branches: adding a
 * dialect is adding an entry. Only what affects where `:name` may appear is described.
 */
export interface DialectSyntax {
  /** The driver's placeholder for the parameter at 0-based position `index` in the value list. */
  placeholder(index: number): string;
  /** PostgreSQL numbers parameters, so a repeated name reuses its `$n`; `?` dialects need one value per use. */
  reusesRepeatedNames: boolean;
  quotes: readonly QuoteRule[];
  /** `E'…'` strings (PostgreSQL): a single-quoted string prefixed by E takes backslash escapes. */
  escapeStringPrefix: boolean;
  /** `$$…$$` and `$tag$…$tag$` strings (PostgreSQL). */
  dollarQuotes: boolean;
  /** `# …` comments to end of line (MySQL). */
  hashComments: boolean;
  /** MySQL reads `--` as a comment only when a space or control character follows. */
  dashCommentNeedsSpace: boolean;
  /** PostgreSQL block comments nest: `/* a /* b *\/ c *\/`. */
  nestedBlockComments: boolean;
  /** The dialect's own positional placeholders, refused so every value goes through a named parameter. */
  positionalPlaceholder: 'question-mark' | 'dollar-number';
}

/** Lexical rules per dialect: SQLite (https://sqlite.org/lang_expr.html), PostgreSQL (docs §4.1), MySQL (§11.1). */
export const DIALECT_SYNTAX: Readonly<Record<SqlDialect, DialectSyntax>> = {
  sqlite: {
    placeholder: () => '?',
    reusesRepeatedNames: false,
    quotes: [
      { open: "'", close: "'", backslashEscapes: false },
      { open: '"', close: '"', backslashEscapes: false },
      { open: '`', close: '`', backslashEscapes: false },
      { open: '[', close: ']', backslashEscapes: false },
    ],
    escapeStringPrefix: false,
    dollarQuotes: false,
    hashComments: false,
    dashCommentNeedsSpace: false,
    nestedBlockComments: false,
    positionalPlaceholder: 'question-mark',
  },
  postgres: {
    placeholder: (index) => `$${index + 1}`,
    reusesRepeatedNames: true,
    quotes: [
      { open: "'", close: "'", backslashEscapes: false },
      { open: '"', close: '"', backslashEscapes: false },
    ],
    escapeStringPrefix: true,
    dollarQuotes: true,
    hashComments: false,
    dashCommentNeedsSpace: false,
    nestedBlockComments: true,
    positionalPlaceholder: 'dollar-number',
  },
  mysql: {
    placeholder: () => '?',
    reusesRepeatedNames: false,
    // Default sql_mode: backslash escapes on, double quotes delimit strings (not ANSI_QUOTES).
    quotes: [
      { open: "'", close: "'", backslashEscapes: true },
      { open: '"', close: '"', backslashEscapes: true },
      { open: '`', close: '`', backslashEscapes: false },
    ],
    escapeStringPrefix: false,
    dollarQuotes: false,
    hashComments: true,
    dashCommentNeedsSpace: true,
    nestedBlockComments: false,
    positionalPlaceholder: 'question-mark',
  },
};
