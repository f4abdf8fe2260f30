import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, dotenvValue, loadSettings, parseDotenv, settingsFromEnvFile } from '../../src/config/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const dir = mkdtempSync(join(tmpdir(), 'entra-migrate-env-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${++counter}.env`);
  writeFileSync(path, content);
  return path;
}

/** The ConfigError's lines as `setting problem`, or [] when the file was accepted. */
function refusal(path: string): string[] {
  try {
    settingsFromEnvFile(path, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map(({ setting, problem }) => `${setting} ${problem}`);
  }
  return [];
}

const valuesOf = (text: string) => Object.fromEntries(parseDotenv(text).entries.map((entry) => [entry.key, entry.value]));

describe('parseDotenv: the dotenv format setup writes and people edit', () => {
  test('comments, blank lines, export, quotes, escapes, inline comments', () => {
    const text = [
      '# written by setup',
      '',
      'ENTRA_TENANT_ID=6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
      'export PORT=7071',
      '  HOST = 127.0.0.1   # spaces around = are fine',
      'LEGACY_USER_QUERY="SELECT password_hash FROM users WHERE email = :username"',
      "LITERAL='no $expansion \\n here'",
      'ESCAPED="a \\"quoted\\" word, a back\\\\slash, a \\$dollar, a \\`tick\\`, a\\nbreak"',
      'HASH_IN_VALUE=postgres://app:p#ss@db/legacy',
      'LEADING_HASH=#kept',
      'EMPTY=',
      'EMPTY_QUOTED=""',
      'AFTER_QUOTE="v" # why',
    ].join('\n');
    assert.deepEqual(valuesOf(text), {
      ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
      PORT: '7071',
      HOST: '127.0.0.1',
      LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
      LITERAL: 'no $expansion \\n here',
      ESCAPED: 'a "quoted" word, a back\\slash, a $dollar, a `tick`, a\nbreak',
      HASH_IN_VALUE: 'postgres://app:p#ss@db/legacy',
      LEADING_HASH: '#kept',
      EMPTY: '',
      EMPTY_QUOTED: '',
      AFTER_QUOTE: 'v',
    });
    const port = parseDotenv(text).entries.find((entry) => entry.key === 'PORT')!;
    assert.deepEqual([port.exported, port.firstLine, port.lastLine], [true, 4, 4]);
    assert.equal(parseDotenv(text).entries.find((entry) => entry.key === 'HOST')!.comment, '   # spaces around = are fine');
  });

  test('a quoted value may span lines (a PEM key); lines are counted across it', () => {
    const text = 'A=1\nJIT_DECRYPTION_KEY="-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"\nB=2\n';
    const { entries } = parseDotenv(text);
    assert.equal(entries[1]!.value, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----');
    assert.deepEqual([entries[1]!.firstLine, entries[1]!.lastLine, entries[2]!.firstLine], [2, 4, 5]);
  });

  test('Windows line ends and a byte-order mark', () => {
    assert.deepEqual(valuesOf('\uFEFFA=1\r\nB="two\r\nlines"\r\n'), { A: '1', B: 'two\nlines' });
  });

  test('dotenvValue round-trips any value through parseDotenv', () => {
    const alphabet = ['a', 'Z', '0', ' ', '#', '"', "'", '\\', '$', '`', '\n', '=', '%', 'é', '😀', '\t', 'n', ':', '/', '@'];
    for (let i = 0; i < 2000; i++) {
      const value = Array.from({ length: randomInt(0, 24) }, () => alphabet[randomInt(alphabet.length)]).join('');
      const text = `# header\nKEY=${dotenvValue(value)}\nNEXT=1\n`;
      assert.deepEqual(valuesOf(text), { KEY: value.replace(/\r\n/g, '\n'), NEXT: '1' }, JSON.stringify(value));
    }
    assert.equal(dotenvValue('./keys/jit.key.pem'), './keys/jit.key.pem');
    assert.equal(dotenvValue('api://auth.contoso.com/0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90'), 'api://auth.contoso.com/0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90');
    assert.equal(dotenvValue('my key.pem'), '"my key.pem"');
  });
});

describe('settingsFromEnvFile (--env-file)', () => {
  test('the environment wins over the file; a blank variable does not', () => {
    const path = file('PORT=8080\nHOST=127.0.0.1\nLOG_LEVEL=debug\n');
    const raw = settingsFromEnvFile(path, { LOG_LEVEL: 'warn', HOST: '' });
    assert.deepEqual([raw.PORT, raw.HOST, raw.LOG_LEVEL], ['8080', '127.0.0.1', 'warn']);
  });

  test('a malformed line is refused with the option, the file and its line number, never its text', () => {
    const path = file(`A=1\n# fine\n${CANARY_PASSWORDS.correct}\nB=2\n`);
    assert.deepEqual(refusal(path), [`--env-file ${path} line 3: expected KEY=value (a name of letters, digits and _, then =)`]);
  });

  test('each kind of malformed line, each named by its line', () => {
    const cases: Array<[string, string]> = [
      ['1KEY=x', 'line 1: expected KEY=value (a name of letters, digits and _, then =)'],
      ['KEY-NAME=x', 'line 1: expected KEY=value (a name of letters, digits and _, then =)'],
      ['export KEY', 'line 1: expected KEY=value (a name of letters, digits and _, then =)'],
      [`A=1\nSECRET="${CANARY_PASSWORDS.correct}\nB=2`, 'line 2: the value\'s opening " is never closed'],
      [`SECRET='${CANARY_PASSWORDS.correct}`, "line 1: the value's opening ' is never closed"],
      [`SECRET="${CANARY_PASSWORDS.correct}" trailing`, 'line 1: text after the closing "; quote the whole value'],
      ['A=1\nB=2\nA=3', 'line 3: A is set again (first on line 1); keep one'],
    ];
    for (const [content, expected] of cases) {
      const path = file(content);
      assert.deepEqual(refusal(path), [`--env-file ${path} ${expected}`], content);
    }
  });

  test('a file of garbage lists five lines and counts the rest', () => {
    const path = file(`${'not a setting\n'.repeat(2000)}`);
    const lines = refusal(path);
    assert.equal(lines.length, 6);
    assert.equal(lines[0], `--env-file ${path} line 1: expected KEY=value (a name of letters, digits and _, then =)`);
    assert.equal(lines[5], `--env-file ${path}: 1995 more lines like these`);
  });

  test('hostile files: oversized, endless, binary, not UTF-8, a directory, missing', () => {
    const big = file(`A=${'x'.repeat(64 * 1024)}\n`);
    assert.deepEqual(refusal(big), [`--env-file ${big} is larger than 64 KiB; is it the right file?`]);
    assert.deepEqual(refusal('/dev/zero'), ['--env-file /dev/zero is larger than 64 KiB; is it the right file?']);
    const binary = file(Buffer.from('A=1\nB=\0\n'));
    assert.deepEqual(refusal(binary), [`--env-file ${binary} line 2 holds a NUL character: not a text file`]);
    const latin1 = file(Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    assert.deepEqual(refusal(latin1), [`--env-file ${latin1} is not UTF-8 text; is it the right file?`]);
    const folder = join(dir, 'folder.env');
    mkdirSync(folder);
    assert.deepEqual(refusal(folder), [`--env-file ${folder}: is a directory, not a file`]);
    assert.deepEqual(refusal(join(dir, 'missing.env')), [`--env-file ${join(dir, 'missing.env')}: no such file`]);
  });

  test('an empty file, or one of comments only, sets nothing', () => {
    assert.deepEqual({ ...settingsFromEnvFile(file(''), {}) }, {});
    assert.deepEqual({ ...settingsFromEnvFile(file('# nothing\n\n   \n'), {}) }, {});
  });

  test('__proto__ and constructor are plain keys: nothing is polluted', () => {
    const raw = settingsFromEnvFile(file('__proto__=x\nconstructor=y\nPORT=1\n'), {});
    assert.equal(raw.__proto__, 'x');
    assert.equal(raw.constructor, 'y');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test('long values and runs of blanks are scanned in linear time (no backtracking)', () => {
    const path = file(`A="${'\\"'.repeat(20_000)}\n`);
    assert.deepEqual(refusal(path), [`--env-file ${path} line 1: the value's opening " is never closed`]);
    const blanks = settingsFromEnvFile(file(`A=x${' '.repeat(30_000)}y\nB=${'\t '.repeat(15_000)}\n`), {});
    assert.deepEqual([blanks.A, blanks.B], [`x${' '.repeat(30_000)}y`, '']);
  });
});

describe('loadSettings: the environment over --env-file over --config', () => {
  test('each source wins over the ones below it', () => {
    const config = join(dir, 'settings.json');
    writeFileSync(config, JSON.stringify({ PORT: 1, HOST: 'config', LOG_LEVEL: 'config', JIT_MESSAGES_FILE: 'config' }));
    const envFile = file('HOST=env-file\nLOG_LEVEL=env-file\n');
    const raw = loadSettings({ env: { LOG_LEVEL: 'environment' }, configFile: config, envFile });
    assert.deepEqual([raw.PORT, raw.HOST, raw.LOG_LEVEL, raw.JIT_MESSAGES_FILE], ['1', 'env-file', 'environment', 'config']);
  });

  test('a dotenv file given to --config says to use --env-file', () => {
    const path = file('# setup\nENTRA_TENANT_ID=6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21\n');
    assert.throws(() => loadSettings({ env: {}, configFile: path }), (error: unknown) => error instanceof ConfigError && error.problems[0]!.problem === `${path} is not valid JSON; it looks like a dotenv file: give it with --env-file`);
  });
});
