import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from '../events/index.js';
import { DEFAULT_MESSAGES, type JitMessageCatalogue } from '../jit/index.js';

const titled = z.object({ title: z.string().min(1).max(MAX_TITLE_LENGTH), message: z.string().min(1).max(MAX_MESSAGE_LENGTH) });
const catalogueSchema = z.record(
  z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i, 'locale tags look like en, fr-ca'),
  z.object({ retry: z.object({ message: z.string().min(1).max(MAX_MESSAGE_LENGTH) }), blocked: titled, unavailable: titled, tooManyAttempts: titled.optional() }),
);

/**
 * Reads JIT_MESSAGES_FILE (a JSON object of locale → messages) over the built-in catalogue: a file may add a
 * locale or replace one, and every entry must be complete but for `tooManyAttempts` (the attempt limit's texts,
 * which fall back to the built-in ones of the locale, or English).
 *
 * @example file: {"nl": {"retry": {"message": "Uw wachtwoord is onjuist."}, "blocked": {…}, "unavailable": {…}, "tooManyAttempts": {…}}}
 */
export async function readMessages(path: string | undefined): Promise<JitMessageCatalogue> {
  if (path === undefined) return DEFAULT_MESSAGES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError([{ setting: 'JIT_MESSAGES_FILE', problem: `${path} ${why}` }]);
  }
  const result = catalogueSchema.safeParse(parsed);
  if (!result.success) {
    // A key that is not a locale tag is not quoted back: it could be anything (markup, terminal escapes).
    const where = result.error.issues
      .slice(0, 5)
      .map((issue) => (issue.code === 'invalid_key' ? 'a key is not a locale tag (locale tags look like en, fr-ca)' : `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
    throw new ConfigError([{ setting: 'JIT_MESSAGES_FILE', problem: `${path} is not a message catalogue (${where.join('; ')})` }]);
  }
  const lowerCased = Object.fromEntries(Object.entries(result.data).map(([tag, messages]) => [tag.toLowerCase(), messages]));
  return Object.freeze({ ...DEFAULT_MESSAGES, ...lowerCased });
}
