import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';
import { skipUnlessService, SERVICES } from '../support/services.js';

const BCRYPT_4 = '$2b$04$MBCzKhG1KhezLh.0LRa0Kuw12nLJtpHy6DIaU.JAnqJUDYspHC.Ou';
const BCRYPT_5 = '$2a$05$MBCzKhG1KhezLh.0LRa0Kuw12nLJtpHy6DIaU.JAnqJUDYspHC.Ou';
const SHA512 = '$6$rounds=5000$saltsaltsaltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/';
const MD5_HEX = '5f4dcc3b5aa765d61d8327deb882cf99';
const ROWS = 100_000;
const POSTGRES_SKIP = await skipUnlessService('postgres');

/** The mix every seeded table holds: 70 % bcrypt cost 4, 20 % bcrypt cost 5, 9 % sha512-crypt, 1 % bare MD5 hex. */
const hashOf = (index: number) => (index % 100 === 0 ? MD5_HEX : index % 10 === 1 ? SHA512 : index % 10 < 4 && index % 10 > 1 ? BCRYPT_5 : BCRYPT_4);

type Report = { rows: number; formats: Array<{ format: string; rows: number; classes: Array<{ params: Record<string, unknown>; rows: number }> }>; unknown: { rows: number }; capacity: { verificationsPerSecondPerCore: number | null } };

function checkMix(report: Report): void {
  assert.equal(report.rows, ROWS);
  const bcrypt = report.formats.find((figures) => figures.format === 'bcrypt')!;
  const expectedMd5 = ROWS / 100;
  const expectedSha = Array.from({ length: ROWS }, (_, index) => hashOf(index)).filter((hash) => hash === SHA512).length;
  const expectedCost5 = Array.from({ length: ROWS }, (_, index) => hashOf(index)).filter((hash) => hash === BCRYPT_5).length;
  assert.equal(report.unknown.rows, expectedMd5);
  assert.equal(report.formats.find((figures) => figures.format !== 'bcrypt')!.rows, expectedSha);
  assert.equal(bcrypt.classes.find((entry) => entry.params.cost === 5)!.rows, expectedCost5);
  assert.equal(bcrypt.rows + expectedSha + expectedMd5, ROWS);
  assert.ok(report.capacity.verificationsPerSecondPerCore! > 0);
}

describe('entra-migrate hash survey', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hash-survey-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--from a JSON lines file: per format, exit 1 for unverifiable rows, never a hash or a salt in the output', async () => {
    const file = join(dir, 'hashes.jsonl');
    await writeFile(file, [BCRYPT_4, BCRYPT_4, SHA512, MD5_HEX].map((hash) => JSON.stringify({ hash })).join('\n') + '\nnot json\n');
    const text = await runCli(['hash', 'survey', '--from', file, '--samples', '1'], { timeoutInMs: 60_000 });
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^5 rows surveyed/);
    assert.match(text.stdout, /bcrypt +2 +40\.0 %/);
    assert.match(text.stdout, /a 32-character hex string: 1/);
    assert.match(text.stdout, /capacity: .* per second per core/);
    assert.doesNotMatch(text.stdout + text.stderr, /MBCzKhG1|saltsalt|5f4dcc3b|qFmFH/);
    const json = await runCli(['hash', 'survey', '--from', file, '--json', '--samples', '0'], { timeoutInMs: 60_000 });
    const report = JSON.parse(json.stdout) as Report;
    assert.equal(report.rows, 5);
    assert.equal(report.unknown.rows, 2);

    const clean = join(dir, 'clean.jsonl');
    await writeFile(clean, `${JSON.stringify({ hash: BCRYPT_4 })}\n${JSON.stringify({ hash: MD5_HEX, scheme: 'digest', params: { algorithm: 'md5' } })}\n`);
    assert.equal((await runCli(['hash', 'survey', '--from', clean], { timeoutInMs: 60_000 })).code, 0, 'every row verifiable: exit 0');
  });

  test('bad options and settings are exit 2 with the reason; nothing is read', async () => {
    const missing = await runCli(['hash', 'survey', '--from', join(dir, 'nope.jsonl')], { timeoutInMs: 60_000 });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--from .*nope\.jsonl no such file/);
    const noSource = await runCli(['hash', 'survey'], { timeoutInMs: 60_000, env: { LEGACY_DATABASE_URL: '', LEGACY_EXPORT_QUERY: '' } });
    assert.equal(noSource.code, 2);
    assert.match(noSource.stderr, /LEGACY_EXPORT_QUERY and LEGACY_DATABASE_URL are required without --from/);
    assert.equal((await runCli(['hash', 'survey', '--samples', '-1'], { timeoutInMs: 60_000 })).code, 2);
  });

  test(`a seeded table of ${ROWS.toLocaleString('en-US')} mixed rows on SQLite, through LEGACY_EXPORT_QUERY`, async () => {
    const path = join(dir, 'legacy.db');
    const db = new Database(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password_hash TEXT)');
    const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let index = 0; index < ROWS; index += 1) insert.run(index + 1, `user${index}@contoso.example`, hashOf(index));
    })();
    db.close();
    const result = await runCli(['hash', 'survey', '--json', '--samples', '1'], { timeoutInMs: 120_000, env: { LEGACY_DATABASE_URL: `sqlite://${path}`, LEGACY_EXPORT_QUERY: 'SELECT id, password_hash FROM users' } });
    assert.equal(result.code, 1, result.stderr);
    checkMix(JSON.parse(result.stdout) as Report);
  });

  test(`the same ${ROWS.toLocaleString('en-US')} rows on PostgreSQL`, { skip: POSTGRES_SKIP }, async () => {
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    const table = `survey_${process.pid}`;
    try {
      await client.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, password_hash text NOT NULL)`);
      const hashes = Array.from({ length: ROWS }, (_, index) => hashOf(index));
      await client.query(`INSERT INTO ${table} SELECT i + 1, ($1::text[])[i + 1] FROM generate_series(0, $2::int - 1) AS i`, [hashes, ROWS]);
      const result = await runCli(['hash', 'survey', '--json', '--samples', '1'], { timeoutInMs: 120_000, env: { LEGACY_DATABASE_URL: SERVICES.postgres.url, LEGACY_EXPORT_QUERY: `SELECT id, password_hash FROM ${table}` } });
      assert.equal(result.code, 1, result.stderr);
      checkMix(JSON.parse(result.stdout) as Report);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });

  test('--check: known credentials through the configured legacy store, one verdict each, never a password; exit 1 unless all are correct', async () => {
    const path = join(dir, 'check.db');
    const db = new Database(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password_hash TEXT, status TEXT)');
    const hash = await bcryptHash(CANARY_PASSWORDS.correct, 4);
    db.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(7, 'ada@contoso.example', hash, 'active');
    db.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(8, 'mallory@contoso.example', hash, 'locked');
    db.close();
    const env = { LEGACY_DATABASE_URL: `sqlite://${path}`, LEGACY_USER_QUERY: 'SELECT id, password_hash, status FROM users WHERE email = :username' };
    const credentials = join(dir, 'credentials.jsonl');
    await writeFile(credentials, `${JSON.stringify({ username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct })}\n`);
    const good = await runCli(['hash', 'survey', '--check', credentials], { timeoutInMs: 60_000, env });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^line 1: ada@contoso\.example: correct$/m);
    assert.match(good.stdout, /1 of 1 known credentials are correct through the sqlite legacy store/);

    await writeFile(
      credentials,
      [
        { username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct },
        { username: 'ada@contoso.example', password: CANARY_PASSWORDS.wrong },
        { username: 'nobody@contoso.example', password: CANARY_PASSWORDS.correct },
        { username: 'mallory@contoso.example', password: CANARY_PASSWORDS.correct },
      ].map((entry) => JSON.stringify(entry)).join('\n') + '\nnot json\n',
    );
    const mixed = await runCli(['hash', 'survey', '--check', credentials, '--json'], { timeoutInMs: 60_000, env });
    assert.equal(mixed.code, 1);
    const report = JSON.parse(mixed.stdout) as { checked: number; correct: number; results: Array<{ line: number; verdict: string }> };
    assert.deepEqual(report.results.map((result) => [result.line, result.verdict]), [[1, 'correct'], [2, 'wrong password'], [3, 'no such account'], [4, 'blocked'], [5, 'unreadable line']]);
    assert.equal(report.correct, 1);

    const noStore = await runCli(['hash', 'survey', '--check', credentials], { timeoutInMs: 60_000, env: { LEGACY_DATABASE_URL: '', LEGACY_USER_QUERY: '' } });
    assert.equal(noStore.code, 2);
    assert.match(noStore.stderr, /LEGACY_DATABASE_URL/);
  });
});
