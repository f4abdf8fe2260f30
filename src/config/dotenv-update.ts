import { dotenvValue, parseDotenv, type DotenvProblem } from './dotenv.js';

/**
 * `text` (a dotenv file) with `settings` set: a key already there is rewritten in place (keeping its `export` and
 * its comment; untouched, byte for byte, when its value is already right), a new key is appended at the end, and
 * every other line — comments, blank lines, other keys, their order and line ends — stays as it was. Returns the
 * problems instead when `text` does not parse: a file we cannot read exactly is not rewritten.
 *
 * @example
 *   updateDotenv('# mine\nLEGACY_DATABASE_URL=postgres://db/legacy\nENTRA_TENANT_ID=old\n', [['ENTRA_TENANT_ID', 'new'], ['PORT', '7071']])
 *   // { text: '# mine\nLEGACY_DATABASE_URL=postgres://db/legacy\nENTRA_TENANT_ID=new\nPORT=7071\n', problems: [] }
 */
export function updateDotenv(text: string, settings: ReadonlyArray<readonly [string, string]>): { text: string; problems: readonly DotenvProblem[] } {
  const parsed = parseDotenv(text);
  if (parsed.problems.length > 0) return { text, problems: parsed.problems };
  const byKey = new Map(parsed.entries.map((entry) => [entry.key, entry]));
  /** New text for an entry's first line (0-based); its other lines are dropped. */
  const rewritten = new Map<number, { line: string; lastIndex: number }>();
  const appended: string[] = [];
  for (const [key, value] of settings) {
    const entry = byKey.get(key);
    if (entry?.value === value) continue;
    const line = `${entry?.exported ? 'export ' : ''}${key}=${dotenvValue(value)}${entry?.comment ?? ''}`;
    if (entry) rewritten.set(entry.firstLine - 1, { line, lastIndex: entry.lastLine - 1 });
    else appended.push(line);
  }
  const lines: string[] = [];
  for (let index = 0; index < parsed.lines.length; index++) {
    const change = rewritten.get(index);
    lines.push(change?.line ?? parsed.lines[index]!);
    if (change) index = change.lastIndex;
  }
  // The text's last "line" is '' when it ends with a line break: new keys go before it, so the file still does.
  const endsWithBreak = lines.at(-1) === '';
  if (endsWithBreak) lines.pop();
  lines.push(...appended);
  if (endsWithBreak || appended.length > 0) lines.push('');
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  return { text: bom + lines.join(text.includes('\r\n') ? '\r\n' : '\n'), problems: [] };
}
