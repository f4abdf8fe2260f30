import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importLegacyExport, LegacyImportError, LegacyImportErrorCode, type LegacyImportOptions } from '../../../src/legacy/import/index.js';
import { fixture, repeated, runMeasuredCli, temporaryDirectory, writeStreamed } from './support.js';

/** A bcrypt hash from the Auth0 fixture: rows built around it are otherwise valid. */
const BCRYPT = (JSON.parse(readFileSync(fixture('auth0-users.ndjson'), 'utf8').split('\n')[0]!) as { passwordHash: string }).passwordHash;
const HUNDRED_MB = 100 * 1024 * 1024;
/** What a 100 MB value may add to the peak memory of a run over the same run on a small file: far less than 100 MB. */
const RSS_ALLOWANCE_KIB = 64 * 1024;

let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
const file = (name: string) => join(dir.path, name);
const out = () => `sqlite://${file('legacy.db')}`;

before(async () => {
  dir = await temporaryDirectory('hostile');
});
after(() => dir?.remove());

/** The import's error, which must be a LegacyImportError with `code`; its message is returned. */
async function failure(options: Omit<LegacyImportOptions, 'out'>, code: string): Promise<string> {
  const error = await importLegacyExport({ ...options, out: out() }).then(
    () => assert.fail('the import should have failed'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof LegacyImportError, String(error));
  assert.equal(error.code, code, error.publicMessage);
  return error.publicMessage;
}

const firebase = (name: string): Omit<LegacyImportOptions, 'out'> => ({ format: 'firebase', from: file(name), hashConfig: fixture('firebase-hash-config.txt') });
const user = (id: string, email: string) => JSON.stringify({ _id: { $oid: id }, email, passwordHash: BCRYPT });

describe('100 MB on one line, in each reader: bounded memory, a clear answer', () => {
  let baselineKiB: number;
  before(async () => {
    const small = await runMeasuredCli(['legacy', 'import', '--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${file('baseline.db')}`]);
    assert.equal(small.code, 1, small.stderr);
    baselineKiB = small.maxRssKiB;
    assert.ok(baselineKiB > 0);
  });

  test('NDJSON: the line is reported as too long, skipped without being held, and the lines around it are imported', async () => {
    await writeStreamed(file('big.ndjson'), [user('a1', 'before@big.example'), '\n{"name":"', ...repeated('x', HUNDRED_MB), '"}\n', user('a2', 'after@big.example'), '\n']);
    const run = await runMeasuredCli(['legacy', 'import', '--format', 'auth0', '--from', file('big.ndjson'), '--out', out()]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /3 records read: 2 imported, 1 unusable/);
    assert.match(run.stderr, /line 2: line longer than 1,048,576 bytes/);
    assert.ok(run.maxRssKiB < baselineKiB + RSS_ALLOWANCE_KIB, `peak ${run.maxRssKiB} KiB, baseline ${baselineKiB} KiB`);
  });

  test('JSON: a 100 MB string stops the import at once, naming the line; the table is not touched', async () => {
    await writeStreamed(file('big.json'), ['{"users": [\n{"localId": "ok", "email": "a@b.example"},\n{"localId": "', ...repeated('x', HUNDRED_MB), '"}]}']);
    const run = await runMeasuredCli(['legacy', 'import', '--format', 'firebase', '--hash-config', fixture('firebase-hash-config.txt'), '--from', file('big.json'), '--out', out()]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /big\.json line 3: a value longer than 1,048,576 bytes follows: not a Firebase auth:export JSON file/);
    assert.ok(run.maxRssKiB < baselineKiB + RSS_ALLOWANCE_KIB, `peak ${run.maxRssKiB} KiB, baseline ${baselineKiB} KiB`);
  });

  test('CSV: a 100 MB record stops the import at once, naming its line', async () => {
    await writeStreamed(file('big.csv'), ['id,email,password_hash\n1,a@b.example,', ...repeated('x', HUNDRED_MB), '\n']);
    const run = await runMeasuredCli(['legacy', 'import', '--format', 'csv', '--from', file('big.csv'), '--out', out()]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /big\.csv line 2: not readable as CSV \(Max Record Size\)/);
    assert.ok(run.maxRssKiB < baselineKiB + RSS_ALLOWANCE_KIB, `peak ${run.maxRssKiB} KiB, baseline ${baselineKiB} KiB`);
  });
});

describe('JSON exports that are not what they claim', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['invalid JSON, with its line', '{"users": [\n  {"localId": "a"},\n  {"localId": "b",, }\n]}', /bad\.json line 3: invalid JSON/],
    ['a truncated file', '{"users": [\n  {"localId": "a", "email": "a@b.example"', /bad\.json line 2: invalid JSON/],
    ['a top-level array', '[{"localId": "a"}]', /bad\.json line 1: not a Firebase auth:export JSON file: expected a JSON object with a "users" array/],
    ['"users" that is not an array', '{"users": {"localId": "a"}}', /bad\.json line 1: not a Firebase auth:export JSON file: "users" is not an array/],
    ['no "users" at all', '{"accounts": [{"localId": "a"}]}', /bad\.json: not a Firebase auth:export JSON file: it has no "users" array/],
    ['an empty file', '', /bad\.json line 1: invalid JSON \(expected a value\)/],
    ['a raw NUL byte', '{"users": [\n{"localId": "a\u0000b"}\n]}', /bad\.json line 2: invalid JSON/],
    ['nesting 10,000 deep', `{"users": [${'['.repeat(10_000)}${']'.repeat(10_000)}]}`, /bad\.json line 1: nested deeper than 32 levels/],
    ['binary garbage', '\u001f\u008b\u0008\u0000garbage', /bad\.json line 1: invalid JSON/],
  ];
  for (const [what, text, message] of cases) {
    test(`${what}: LEGACY_IMPORT_SOURCE_MALFORMED`, async () => {
      await writeFile(file('bad.json'), text);
      assert.match(await failure(firebase('bad.json'), LegacyImportErrorCode.SOURCE_MALFORMED), message);
    });
  }

  test('an element that is not an object and a record over 1 MiB are reported by line; the records around them are read', async () => {
    const bigRecord = `{"localId": "big", ${Array.from({ length: 2000 }, (_, i) => `"k${i}": "${'v'.repeat(1000)}"`).join(', ')}}`;
    await writeFile(file('elements.json'), `{"users": [\n"a string",\n${bigRecord},\n{"localId": "x", "email": "x@b.example", "passwordHash": "${'A'.repeat(86)}==", "salt": "c2FsdA=="}\n]}`);
    const summary = await importLegacyExport({ ...firebase('elements.json'), out: out() });
    assert.deepEqual(
      summary.problems.map((problem) => [problem.at.line, problem.reason]),
      [
        [2, 'record is not a JSON object'],
        [3, 'record larger than 1,048,576 characters'],
      ],
    );
    assert.equal(summary.imported, 1);
  });
});

describe('rows that are hostile or broken', () => {
  test('NDJSON: NUL bytes, invalid UTF-8, a non-object, a CRLF line end and a byte order mark', async () => {
    const lines = [
      `\uFEFF${user('b1', 'bom@x.example')}\r`,
      `{"_id": {"$oid": "b2"}, "email": "raw\u0000nul@x.example", "passwordHash": "${BCRYPT}"}`,
      JSON.stringify({ _id: { $oid: 'b3' }, email: 'escaped\u0000nul@x.example', passwordHash: BCRYPT }),
      JSON.stringify({ _id: { $oid: 'b4\u0000' }, email: 'id-nul@x.example', passwordHash: BCRYPT }),
      JSON.stringify({ _id: { $oid: 'b5' }, email: 'hash-nul@x.example', passwordHash: `${BCRYPT}\u0000` }),
      '[1, 2, 3]',
    ];
    await writeFile(file('rows.ndjson'), Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0xc3, 0x28, 0x0a])]));
    const summary = await importLegacyExport({ format: 'auth0', from: file('rows.ndjson'), out: out() });
    assert.equal(summary.imported, 1);
    assert.deepEqual(
      summary.problems.map((problem) => [problem.at.line, problem.reason]),
      [
        [2, 'not valid JSON'],
        [3, 'e-mail holds a control character'],
        [4, 'id holds a control character'],
        [5, 'password hash holds a control character or only blanks'],
        [6, 'not a JSON object'],
        [7, 'line is not UTF-8 text'],
      ],
    );
  });

  test('duplicate ids and sign-in names across formats: the first one stays, the others are reported', async () => {
    const account = (id: string, email: string) => ({ localId: id, email, passwordHash: `${'A'.repeat(86)}==`, salt: 'c2FsdA==' });
    await writeFile(file('dupes.json'), JSON.stringify({ users: [account('1', 'one@x.example'), account('1', 'two@x.example'), account('2', 'ONE@x.example'), account('3', 'three@x.example')] }, null, 1));
    const summary = await importLegacyExport({ ...firebase('dupes.json'), out: out() });
    assert.equal(summary.imported, 2);
    assert.deepEqual(summary.unusableByReason, [
      ['duplicate id (an earlier row has it)', 1],
      ['e-mail or username already used by an earlier row (a sign-in would match both)', 1],
    ]);
  });

  test('a username that is another account\'s e-mail is refused: one sign-in name would match two rows', async () => {
    await writeFile(file('cross.csv'), `id,email,username,password_hash\n1,ada@x.example,ada,${BCRYPT}\n2,grace@x.example,ADA@X.EXAMPLE,${BCRYPT}\n`);
    const summary = await importLegacyExport({ format: 'csv', from: file('cross.csv'), out: out() });
    assert.deepEqual(summary.problems.map((problem) => [problem.at.line, problem.reason]), [[3, 'e-mail or username already used by an earlier row (a sign-in would match both)']]);
  });

  test('CSV: a field with a raw NUL, a record of the wrong width, a stray quote in an unquoted field', async () => {
    await writeFile(file('rows.csv'), `id,email,password_hash\n1,nul\u0000@x.example,${BCRYPT}\n2,two@x.example\n3,th"ree@x.example,${BCRYPT}\n4,four@x.example,${BCRYPT}\n`);
    const summary = await importLegacyExport({ format: 'csv', from: file('rows.csv'), out: out() });
    assert.deepEqual(
      summary.problems.map((problem) => [problem.at.line, problem.reason]),
      [
        [2, 'e-mail holds a control character'],
        [3, '2 fields where the header has 3'],
      ],
    );
    assert.equal(summary.imported, 2);
  });

  test('a hash whose costs are above the verifier\'s ceilings is unusable (serve would refuse it)', async () => {
    await writeFile(file('costly.csv'), `id,email,password_hash\n1,a@x.example,${BCRYPT.replace('$10$', '$31$')}\n2,b@x.example,${BCRYPT}\n`);
    const summary = await importLegacyExport({ format: 'csv', from: file('costly.csv'), out: out() });
    assert.deepEqual(summary.problems.map((problem) => problem.reason), ["password hash costs above the verifier's default ceilings (LEGACY_HASH_LIMITS) (bcrypt)"]);
  });

  test('a file with not one usable record leaves the table as it was: LEGACY_IMPORT_NOTHING_USABLE', async () => {
    await writeFile(file('none.ndjson'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x00, 0xff, 0x0a]));
    assert.match(await failure({ format: 'auth0', from: file('none.ndjson') }, LegacyImportErrorCode.NOTHING_USABLE), /not one of its 2 records could be imported \(most often: .+\); legacy_users was left as it was/);
  });
});
