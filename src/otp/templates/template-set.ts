import { OTP_PURPOSES, type OtpPurpose } from '../../events/index.js';

/**
 * One language's one-time code mail. `text` and `html` hold `{{code}}` (required) and may hold `{{purpose}}` (the
 * phrase of `purpose` for why the code is sent); subjects are plain text, one per purpose, and never hold the code
 * (subjects are shown in notifications and mail logs).
 */
export interface OtpLocaleTemplates {
  readonly subject: Readonly<Record<OtpPurpose, string>>;
  readonly purpose: Readonly<Record<OtpPurpose, string>>;
  readonly text: string;
  readonly html: string;
}

/** Templates by lower-case locale (`en`, `fr`, `fr-ca`); `en` is always present, the last fallback. */
export type OtpTemplateSet = ReadonlyMap<string, OtpLocaleTemplates>;

/** A mail rendered for one code. */
export interface RenderedOtpMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The locale whose templates were used. */
  readonly language: string;
}

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_PURPOSE_LENGTH = 300;
export const MAX_TEXT_LENGTH = 16 * 1024;
export const MAX_HTML_LENGTH = 64 * 1024;
/** A locale as Entra sends it, lower-cased: `en`, `fr-ca`, `zh-hant-tw`. */
export const LOCALE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * What is wrong with one language's templates (empty when usable). `where` prefixes each problem (`fr/body.html`).
 *
 * @example
 *   checkLocaleTemplates(EN, 'en') // []
 */
export function checkLocaleTemplates(templates: OtpLocaleTemplates, where: { text: string; html: string; strings: string }): string[] {
  const problems: string[] = [];
  for (const purpose of OTP_PURPOSES) {
    const subject = templates.subject[purpose];
    if (typeof subject !== 'string' || subject.trim() === '') problems.push(`${where.strings}: subject.${purpose} is missing`);
    else if (subject.length > MAX_SUBJECT_LENGTH || CONTROL.test(subject) || subject.includes('{{')) problems.push(`${where.strings}: subject.${purpose} must be one line of at most ${MAX_SUBJECT_LENGTH} characters without {{placeholders}} (the code never goes in a subject)`);
    const phrase = templates.purpose[purpose];
    if (typeof phrase !== 'string' || phrase.trim() === '') problems.push(`${where.strings}: purpose.${purpose} is missing`);
    else if (phrase.length > MAX_PURPOSE_LENGTH || CONTROL.test(phrase) || phrase.includes('{{')) problems.push(`${where.strings}: purpose.${purpose} must be one line of at most ${MAX_PURPOSE_LENGTH} characters without {{placeholders}}`);
  }
  problems.push(...checkBody(templates.text, where.text, MAX_TEXT_LENGTH), ...checkBody(templates.html, where.html, MAX_HTML_LENGTH));
  return problems;
}

function checkBody(body: string, where: string, max: number): string[] {
  if (body.length > max) return [`${where}: is longer than ${max} characters`];
  if (CONTROL_BUT_LINES.test(body)) return [`${where}: holds control characters`];
  const names = [...body.matchAll(PLACEHOLDER)].map((match) => match[1]!);
  const unknown = names.filter((name) => name !== 'code' && name !== 'purpose');
  if (unknown.length > 0) return [`${where}: unknown placeholder {{${unknown[0]!.slice(0, 40)}}}; only {{code}} and {{purpose}} exist`];
  if (!names.includes('code')) return [`${where}: must hold {{code}}, where the one-time code goes`];
  return [];
}

/**
 * The templates for `locale`: itself (`fr-ca`), then its language (`fr`), then `en`.
 *
 * @example
 *   templatesFor(set, 'fr-CA').language // 'fr' when there is no fr-ca
 */
export function templatesFor(set: OtpTemplateSet, locale: string | null | undefined): { language: string; templates: OtpLocaleTemplates } {
  const wanted = (locale ?? '').trim().toLowerCase().replace(/_/g, '-');
  if (LOCALE.test(wanted)) {
    const parts = wanted.split('-');
    for (let length = parts.length; length > 0; length -= 1) {
      const candidate = parts.slice(0, length).join('-');
      const templates = set.get(candidate);
      if (templates) return { language: candidate, templates };
    }
  }
  return { language: 'en', templates: set.get('en')! };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * The mail for one code, in the best language for `locale`. Placeholders are replaced in one pass (an inserted
 * value is never read again as a template); in HTML every inserted value is escaped.
 *
 * @example
 *   renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale: 'de-de', purpose: 'sign-up', code: '12345678' }).subject
 *   // 'Ihr Bestätigungscode zum Erstellen Ihres Kontos'
 */
export function renderOtpMail(set: OtpTemplateSet, input: { locale: string | null | undefined; purpose: OtpPurpose; code: string }): RenderedOtpMail {
  const { language, templates } = templatesFor(set, input.locale);
  const values: Record<string, string> = { code: input.code, purpose: templates.purpose[input.purpose] };
  const fill = (body: string, escape: (text: string) => string) => body.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? escape(values[name]!) : whole));
  return { subject: templates.subject[input.purpose], text: fill(templates.text, (text) => text), html: fill(templates.html, escapeHtml), language };
}
