import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readMessages } from '../../src/app/read-messages.js';
import { MAX_MESSAGE_LENGTH } from '../../src/events/index.js';
import { DEFAULT_MESSAGES, messagesFor } from '../../src/jit/index.js';

const DUTCH = {
  retry: { message: 'Uw wachtwoord is onjuist.' },
  blocked: { title: 'Geblokkeerd', message: 'Uw account is vergrendeld.' },
  unavailable: { title: 'Tijdelijk niet beschikbaar', message: 'Probeer het later opnieuw.' },
};

describe('readMessages (JIT_MESSAGES_FILE)', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'entra-migrate-messages-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  test('no file: the built-in catalogue', async () => {
    assert.equal(await readMessages(undefined), DEFAULT_MESSAGES);
  });

  test('a locale with its own attempt-limit texts keeps them; one without gets the built-in English ones', async () => {
    const tooManyAttempts = { title: 'Te veel pogingen', message: 'Probeer het later opnieuw.' };
    const catalogue = await readMessages(await file('nl.json', JSON.stringify({ nl: { ...DUTCH, tooManyAttempts }, 'NL-be': DUTCH })));
    assert.deepEqual(messagesFor(catalogue, 'nl').tooManyAttempts, tooManyAttempts);
    assert.deepEqual(messagesFor(catalogue, 'nl-be').tooManyAttempts, DEFAULT_MESSAGES.en!.tooManyAttempts, 'the locale tag is lower-cased; its missing texts are English');
    assert.deepEqual(messagesFor(catalogue, 'fr').tooManyAttempts, DEFAULT_MESSAGES.fr!.tooManyAttempts, 'the built-in locales are kept');
  });

  test('malformed, incomplete, oversized and hostile files stop start-up naming JIT_MESSAGES_FILE, never echoing a text', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['not JSON', '{"nl": ', /is not valid JSON/],
      ['an entry without its blocked texts', JSON.stringify({ nl: { retry: DUTCH.retry, unavailable: DUTCH.unavailable } }), /nl\.blocked/],
      ['an empty attempt-limit title', JSON.stringify({ nl: { ...DUTCH, tooManyAttempts: { title: '', message: 'x' } } }), /nl\.tooManyAttempts\.title/],
      ['a message over the limit', JSON.stringify({ nl: { ...DUTCH, tooManyAttempts: { title: 't', message: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) } } }), /nl\.tooManyAttempts\.message/],
      ['a locale tag that is markup', JSON.stringify({ '<script>': DUTCH }), /locale tags look like/],
    ];
    for (const [what, content, problem] of cases) {
      const path = await file('bad.json', content);
      await assert.rejects(readMessages(path), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONFIG_INVALID', what);
        assert.match(error.message, /JIT_MESSAGES_FILE/, what);
        assert.match(error.message, problem, what);
        assert.ok(!error.message.includes('xxxxxxxx') && !error.message.includes('<script>'), `${what}: no text or key echoed`);
        return true;
      });
    }
  });

  test('a file that cannot be read is named with its error code', async () => {
    await assert.rejects(readMessages(join(dir, 'missing.json')), /JIT_MESSAGES_FILE[\s\S]*ENOENT/);
  });
});
