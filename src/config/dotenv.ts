/** One `KEY=value` of a dotenv file, with where it sits, so a writer can replace it in place. */
export interface DotenvEntry {
  readonly key: string;
  readonly value: string;
  /** The 1-based lines the entry spans: a quoted value may run over several. */
  readonly firstLine: number;
  readonly lastLine: number;
  /** Written `export KEY=…`, as shells source it. */
  readonly exported: boolean;
  /** A comment after the value on its last line, with the blanks before it (`'  # why'`), else ''. */
  readonly comment: string;
}

/** A line the parser refused: its number and why, never its text (it may hold a secret). */
export interface DotenvProblem {
  readonly line: number;
  readonly problem: string;
}

export interface ParsedDotenv {
  /** The text's lines without their line ends. */
  readonly lines: readonly string[];
  readonly entries: readonly DotenvEntry[];
  readonly problems: readonly DotenvProblem[];
}

const ASSIGNMENT = /^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;
/** After a closing quote: nothing, or a comment. */
const AFTER_QUOTE = /^(\s*(?:#.*)?)$/;
/** In a double-quoted value, `\` escapes these (as a shell's double quotes do), and `\n` is a line break. */
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', $: '$', '`': '`', n: '\n' };

/**
 * Parses the dotenv format `setup --write-env` writes and people edit: `KEY=value` lines, optionally
 * `export KEY=value`; blank lines and `#` comments; a value unquoted (trimmed, up to a `#` after a blank), in single
 * quotes (literal) or in double quotes (`\"`, `\\`, `\$`, `` \` `` and `\n` escapes); a quoted value may span
 * lines (a PEM key). No variable expansion. A key set twice is a problem, not a silent choice between the two.
 * Problems carry the line number only: a malformed line may hold a secret.
 *
 * @example
 *   parseDotenv('# serve\nexport PORT=7071\nLEGACY_DATABASE_URL="postgres://app@db/legacy"\n').entries
 *   // [{ key: 'PORT', value: '7071', firstLine: 2, … }, { key: 'LEGACY_DATABASE_URL', value: 'postgres://app@db/legacy', firstLine: 3, … }]
 */
export function parseDotenv(text: string): ParsedDotenv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const entries: DotenvEntry[] = [];
  const problems: DotenvProblem[] = [];
  const firstSeen = new Map<string, number>();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const lineNumber = index + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      problems.push({ line: lineNumber, problem: 'expected KEY=value (a name of letters, digits and _, then =)' });
      continue;
    }
    const [, exported, key, afterEquals] = assignment as unknown as [string, string | undefined, string, string];
    const rest = afterEquals.trimStart();
    const parsed = rest.startsWith('"') || rest.startsWith("'") ? quoted(lines, index, line.length - rest.length) : unquoted(afterEquals, index);
    if ('problem' in parsed) {
      problems.push({ line: lineNumber, problem: parsed.problem });
      index = parsed.lastIndex;
      continue;
    }
    const seen = firstSeen.get(key);
    if (seen !== undefined) problems.push({ line: lineNumber, problem: `${key} is set again (first on line ${seen}); keep one` });
    else firstSeen.set(key, lineNumber);
    entries.push({ key, value: parsed.value, firstLine: lineNumber, lastLine: parsed.lastIndex + 1, exported: exported !== undefined, comment: parsed.comment });
    index = parsed.lastIndex;
  }
  return { lines, entries, problems };
}

type ValueParse = { value: string; comment: string; lastIndex: number } | { problem: string; lastIndex: number };

/** An unquoted value ends at a `#` after a blank, as in a shell: `KEY=a#b` and `KEY=#b` keep their `#`. */
function unquoted(afterEquals: string, index: number): ValueParse {
  const hash = afterEquals.search(/\s#/);
  let end = hash < 0 ? afterEquals.length : hash + 1;
  while (end > 0 && /\s/.test(afterEquals[end - 1]!)) end -= 1; // the comment keeps the blanks before it
  return { value: afterEquals.slice(0, end).trim(), comment: afterEquals.slice(end).trimEnd(), lastIndex: index };
}

/** A quoted value starting at `lines[index][column]`, possibly running over the following lines. */
function quoted(lines: readonly string[], index: number, column: number): ValueParse {
  const quote = lines[index]![column]!;
  let value = '';
  let row = index;
  let text = lines[row]!;
  let at = column + 1;
  for (;;) {
    if (at >= text.length) {
      if (row + 1 >= lines.length) return { problem: `the value's opening ${quote} is never closed`, lastIndex: row };
      row += 1;
      text = lines[row]!;
      at = 0;
      value += '\n';
      continue;
    }
    const char = text[at]!;
    if (char === quote) break;
    const escaped = quote === '"' && char === '\\' ? ESCAPED[text[at + 1] ?? ''] : undefined;
    value += escaped ?? char;
    at += escaped === undefined ? 1 : 2;
  }
  const after = text.slice(at + 1);
  if (!AFTER_QUOTE.test(after)) return { problem: `text after the closing ${quote}; quote the whole value`, lastIndex: row };
  return { value, comment: after.trimEnd(), lastIndex: row };
}

/** Characters a value may hold without quotes, in every dotenv reader and in a POSIX shell. */
const PLAIN = /^[A-Za-z0-9_./:,@+=%-]*$/;

/**
 * A value as `KEY=<this>` writes it: bare when it is plain, else in double quotes with `\`, `"`, `$`, `` ` `` and
 * line breaks escaped, so {@link parseDotenv} reads back exactly `value` (and a shell sourcing the file too, but
 * for a line break, which it keeps as the two characters `\n`).
 *
 * @example
 *   dotenvValue('./keys/jit.key.pem')   // './keys/jit.key.pem'
 *   dotenvValue('C:\\keys\\my key.pem') // '"C:\\\\keys\\\\my key.pem"'
 */
export function dotenvValue(value: string): string {
  if (PLAIN.test(value)) return value;
  return `"${value.replace(/["\\$`]/g, '\\$&').replace(/\r?\n/g, '\\n')}"`;
}
