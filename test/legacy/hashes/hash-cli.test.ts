import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NAMED_ONLY_SCHEMES } from '../../../src/cli/actions/hash.js';
import { DEFAULT_FORMATS } from '../../../src/legacy/hashes/index.js';
import { runCli } from '../../support/cli.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { NOT_YET, storedOf, withEncoding } from './vector-schemes.js';
import { FAMILY_VECTORS, oneCharacterOff, passwordOf, VECTORS } from './vectors.js';

describe('entra-migrate hash verify', () => {
  test('every covered shared vector matches, and its one-character change does not, in input order', async () => {
    const covered = VECTORS.filter((vector) => !(vector.format in NOT_YET));
    const lines = covered.flatMap((vector) => {
      const stored = withEncoding(vector, storedOf(vector));
      const password = passwordOf(vector);
      return [JSON.stringify({ ...stored, password }), JSON.stringify({ ...stored, password: oneCharacterOff(password) })];
    });
    const result = await runCli(['hash', 'verify'], { stdin: `${lines.join('\n')}\n`, timeoutInMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { match?: boolean; error?: string });
    assert.equal(answers.length, lines.length);
    answers.forEach((answer, i) => assert.deepEqual(answer, { match: i % 2 === 0 }, `${covered[Math.floor(i / 2)]!.format} line ${i + 1}`));
  });

  test('bad lines get an error line in their place, never the password', async () => {
    const lines = [
      'not json',
      '[1, 2]',
      '{"hash": "$2b$04$' + 'a'.repeat(53) + '"}',
      JSON.stringify({ hash: '', password: CANARY_PASSWORDS.correct }),
      JSON.stringify({ hash: 'abc', password: CANARY_PASSWORDS.correct, scheme: 'rot13' }),
      JSON.stringify({ hash: '$2b$31$' + 'a'.repeat(53), password: CANARY_PASSWORDS.correct }),
      JSON.stringify({ hash: 'x', password: CANARY_PASSWORDS.correct, params: 'nope' }),
      '',
      'x'.repeat(70_000),
      JSON.stringify({ hash: '5f4dcc3b5aa765d61d8327deb882cf99', password: 'password', scheme: 'digest', params: { algorithm: 'md5' } }),
    ];
    const result = await runCli(['hash', 'verify'], { stdin: lines.join('\n') });
    assert.equal(result.code, 0);
    const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(answers.length, lines.length);
    assert.deepEqual(answers.at(-1), { match: true });
    for (const answer of answers.slice(0, -1)) assert.equal(typeof answer.error, 'string', JSON.stringify(answer));
    assert.ok(!result.stdout.includes(CANARY_PASSWORDS.correct) && !result.stderr.includes(CANARY_PASSWORDS.correct));
  });
});

describe('entra-migrate hash identify', () => {
  test('names the format and its parameters', async () => {
    const result = await runCli(['hash', 'identify', '--json', '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a']);
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), { format: 'bcrypt', params: { variant: '2y', cost: 10 } });
    const plain = await runCli(['hash', 'identify', '{SSHA}0H+zTv8o4MR4H43n03eCsvw1luG8LdB7']);
    assert.match(plain.stdout, /^ldap-digest {2}scheme=SSHA {2}saltBytes=4/);
  });

  test('never guesses: an ambiguous or unknown string exits 1 and lists only the schemes a store must name', async () => {
    const result = await runCli(['hash', 'identify', '5f4dcc3b5aa765d61d8327deb882cf99']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `entra-migrate hash identify: not a self-describing format entra-migrate recognises. If it is a configured scheme (${NAMED_ONLY_SCHEMES.join(', ')}), ` +
        'name it with its params; see `entra-migrate hash verify --help`.\n',
    );
    assert.ok(NAMED_ONLY_SCHEMES.includes('nthash') && NAMED_ONLY_SCHEMES.includes('digest'), 'a 32-hex string may be MD5 or NT: both are named, never guessed');
    const broken = await runCli(['hash', 'identify', '$2b$10$short']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /bcrypt hash is malformed/);
  });

  test('the schemes it lists and the ones it recognises by shape are the whole catalogue, with none in both', () => {
    // As the registry recognises a hash: the first format whose shape matches.
    // Disabled-password markers have no password to be a vector of: `!` stands for them.
    const hashes = [...VECTORS.map((vector) => vector.hash), ...FAMILY_VECTORS.filter((vector) => !vector.malformed).map((vector) => vector.hash), '!'];
    const recognised = new Set(hashes.flatMap((hash) => DEFAULT_FORMATS.find((format) => format.matches(hash))?.id ?? []));
    assert.deepEqual(NAMED_ONLY_SCHEMES.filter((id) => recognised.has(id)), [], 'a listed scheme is never recognised by shape');
    assert.deepEqual(DEFAULT_FORMATS.map((format) => format.id).filter((id) => !recognised.has(id) && !NAMED_ONLY_SCHEMES.includes(id)), [], 'every format is recognised by shape or listed');
    assert.deepEqual(NAMED_ONLY_SCHEMES.filter((id) => !DEFAULT_FORMATS.some((format) => format.id === id)), [], 'every listed scheme exists');
  });
});
