import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { OTP_PURPOSES } from '../../events/index.js';
import { OtpError, OtpErrorCode } from '../errors.js';
import { checkLocaleTemplates, LOCALE, MAX_HTML_LENGTH, MAX_TEXT_LENGTH, type OtpLocaleTemplates, type OtpTemplateSet } from './template-set.js';

/** The three files of one language's folder. */
export const TEMPLATE_FILES = { strings: 'strings.json', text: 'body.txt', html: 'body.html' } as const;
/** More languages than any tenant offers (Entra's sign-in pages know about 50). */
export const MAX_LOCALES = 100;
const MAX_STRINGS_BYTES = 16 * 1024;

const phrases = z.strictObject(Object.fromEntries(OTP_PURPOSES.map((purpose) => [purpose, z.string()])) as Record<(typeof OTP_PURPOSES)[number], z.ZodString>);
const stringsSchema = z.strictObject({ subject: phrases, purpose: phrases });

/**
 * Reads OTP_TEMPLATES_DIR: one folder per locale (`en`, required; `fr`, `fr-ca`, …, lower case), each with
 * `strings.json` (`{"subject": {"sign-up", "password-reset", "sign-in", "mfa"}, "purpose": {the same four}}`),
 * `body.txt` and `body.html` (UTF-8, holding `{{code}}` and optionally `{{purpose}}`). Regular files only (no
 * symbolic links), bounded sizes. Every problem is reported at once in one `OTP_TEMPLATES_INVALID` error whose
 * detail names the files, never their content.
 *
 * @example
 *   const templates = loadOtpTemplatesDir('/etc/entra-migrate/otp-templates');
 */
export function loadOtpTemplatesDir(dir: string): OtpTemplateSet {
  const problems: string[] = [];
  let entries;
  try {
    if (!lstatSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    throw invalid(['the folder cannot be read (it must be a directory, not a symbolic link)']);
  }
  const set = new Map<string, OtpLocaleTemplates>();
  if (entries.length > MAX_LOCALES + 10) throw invalid([`holds ${entries.length} entries; at most ${MAX_LOCALES} language folders are read`]);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const name = printable(entry.name);
    if (entry.name.startsWith('.')) continue; // .git, .DS_Store
    if (!entry.isDirectory() || !LOCALE.test(entry.name)) {
      problems.push(`${name}: expected a folder named for a lower-case locale such as en, fr or fr-ca (a symbolic link is not read)`);
      continue;
    }
    const templates = readLocale(dir, entry.name, problems);
    if (templates) set.set(entry.name, templates);
  }
  if (set.size > MAX_LOCALES) problems.push(`holds ${set.size} language folders; at most ${MAX_LOCALES}`);
  if (!set.has('en') && !problems.some((problem) => problem.startsWith('en/'))) problems.push('en/: missing; English is the fallback of every other locale');
  if (problems.length > 0) throw invalid(problems);
  return set;
}

function readLocale(dir: string, locale: string, problems: string[]): OtpLocaleTemplates | undefined {
  const where = { strings: `${locale}/${TEMPLATE_FILES.strings}`, text: `${locale}/${TEMPLATE_FILES.text}`, html: `${locale}/${TEMPLATE_FILES.html}` };
  const before = problems.length;
  const stringsText = readText(join(dir, locale, TEMPLATE_FILES.strings), where.strings, MAX_STRINGS_BYTES, problems);
  const text = readText(join(dir, locale, TEMPLATE_FILES.text), where.text, MAX_TEXT_LENGTH * 4, problems);
  const html = readText(join(dir, locale, TEMPLATE_FILES.html), where.html, MAX_HTML_LENGTH * 4, problems);
  let strings: z.output<typeof stringsSchema> | undefined;
  if (stringsText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(stringsText);
    } catch {
      problems.push(`${where.strings}: is not JSON`);
    }
    if (json !== undefined) {
      const parsed = stringsSchema.safeParse(json);
      if (parsed.success) strings = parsed.data;
      else problems.push(`${where.strings}: must be {"subject": {…}, "purpose": {…}}, each with the strings "sign-up", "password-reset", "sign-in" and "mfa" and nothing else (first problem at ${parsed.error.issues[0]?.path.map(String).join('.').slice(0, 80) || 'the top'})`);
    }
  }
  if (problems.length > before || strings === undefined || text === undefined || html === undefined) return undefined;
  const templates: OtpLocaleTemplates = Object.freeze({ subject: Object.freeze(strings.subject), purpose: Object.freeze(strings.purpose), text, html });
  const found = checkLocaleTemplates(templates, where);
  problems.push(...found);
  return found.length === 0 ? templates : undefined;
}

/** A regular file's UTF-8 text, or undefined with a problem: missing, a link, too big, not UTF-8. */
function readText(path: string, where: string, maxBytes: number, problems: string[]): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    problems.push(`${where}: missing`);
    return undefined;
  }
  if (!stat.isFile()) {
    problems.push(`${where}: must be a regular file (a symbolic link, folder or device is not read)`);
    return undefined;
  }
  if (stat.size > maxBytes) {
    problems.push(`${where}: is larger than ${Math.round(maxBytes / 1024)} KiB`);
    return undefined;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    problems.push(`${where}: is not UTF-8 text`);
    return undefined;
  }
}

/** A file name as it may be shown: printable ASCII, shortened. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}

function invalid(problems: string[]): OtpError {
  return new OtpError(OtpErrorCode.TEMPLATES_INVALID, `OTP_TEMPLATES_DIR: ${problems.join('; ')}`);
}
