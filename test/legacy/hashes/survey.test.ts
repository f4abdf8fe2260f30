import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FORMATS, surveyHashes, type HashFormat, type StoredHash } from '../../../src/legacy/hashes/index.js';

const BCRYPT_4 = '$2b$04$MBCzKhG1KhezLh.0LRa0Kuw12nLJtpHy6DIaU.JAnqJUDYspHC.Ou';
const BCRYPT_5 = '$2a$05$MBCzKhG1KhezLh.0LRa0Kuw12nLJtpHy6DIaU.JAnqJUDYspHC.Ou';
const SALTED = '$6$rounds=5000$saltsaltsaltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/';

async function* rowsOf(stored: readonly StoredHash[]): AsyncGenerator<StoredHash> {
  yield* stored;
}

/** A disabled-marker format as the catalogue's own: matches `!`/`*` strings, never verifies. */
const disabled: HashFormat = {
  id: 'disabled',
  origin: 'test',
  matches: (hash) => /^[!*]/.test(hash),
  prepare: () => ({ params: {}, verify: async () => false }),
};

test('survey: rows by format and cost class, shares, the first rows of each class timed, nothing else verified', async () => {
  const verified: string[] = [];
  const report = await surveyHashes(rowsOf([{ hash: BCRYPT_4 }, { hash: BCRYPT_4 }, { hash: BCRYPT_4 }, { hash: BCRYPT_4 }, { hash: BCRYPT_5 }, { hash: SALTED }]), {
    verify: async (stored) => verified.push(stored.hash),
    samplesPerClass: 2,
  });
  assert.equal(report.rows, 6);
  const bcrypt = report.formats.find((figures) => figures.format === 'bcrypt')!;
  assert.equal(bcrypt.rows, 5);
  assert.equal(bcrypt.share, 5 / 6);
  assert.deepEqual(bcrypt.classes.map((entry) => [entry.params.cost, entry.rows]), [[4, 4], [5, 1]]);
  assert.equal(report.formats[0]!.format, 'bcrypt', 'the largest format first');
  assert.equal(verified.length, 2 + 1 + 1, 'two timings for the cost-4 class, one for cost 5, one for sha-crypt');
  assert.ok(report.capacity.meanVerifyMs !== null && report.capacity.meanVerifyMs >= 0);
  assert.equal(report.capacity.coresAtEntraPeak, (50 * report.capacity.meanVerifyMs) / 1000);
});

test('survey: unknown formats are counted by shape, never quoted; empty hashes and unknown schemes apart', async () => {
  const report = await surveyHashes(rowsOf([{ hash: '5f4dcc3b5aa765d61d8327deb882cf99' }, { hash: '5f4dcc3b5aa765d61d8327deb882cf98' }, { hash: '' }, { hash: 'x', scheme: 'no-such-scheme' }, { hash: '$9$secret-looking-value$more' }]), {
    verify: async () => undefined,
  });
  assert.equal(report.unknown.rows, 5);
  assert.deepEqual(report.unknown.shapes.find((shape) => shape.shape === 'a 32-character hex string'), { shape: 'a 32-character hex string', rows: 2 });
  assert.ok(report.unknown.shapes.some((shape) => /^no hash/.test(shape.shape)));
  assert.ok(report.unknown.shapes.some((shape) => shape.shape === 'the unknown scheme "no-such-scheme"'));
  assert.doesNotMatch(JSON.stringify(report), /5f4dcc3b|secret-looking|more/);
});

test('survey: rows over the ceilings and malformed rows count against their format; no salt or digest is in the report', async () => {
  const report = await surveyHashes(rowsOf([{ hash: '$2b$15$MBCzKhG1KhezLh.0LRa0Kuw12nLJtpHy6DIaU.JAnqJUDYspHC.Ou' }, { hash: '$2b$04$short' }, { hash: SALTED }]), {
    verify: async () => undefined,
    limits: { bcryptCost: 12 },
  });
  const bcrypt = report.formats.find((figures) => figures.format === 'bcrypt')!;
  assert.equal(bcrypt.overLimit, 1);
  assert.equal(bcrypt.malformed, 1);
  assert.doesNotMatch(JSON.stringify(report), /saltsalt|qFmFH|MBCzKhG1/);
  const sha = report.formats.find((figures) => figures.format !== 'bcrypt')!;
  assert.equal(sha.classes[0]!.params.rounds, 5000);
});

test('survey: disabled markers are counted apart and never timed', async () => {
  let verified = 0;
  const report = await surveyHashes(rowsOf([{ hash: '!' }, { hash: '*' }, { hash: BCRYPT_4 }]), {
    verify: async () => void (verified += 1),
    formats: [disabled, ...DEFAULT_FORMATS.filter((format) => format.id !== 'disabled')],
  });
  assert.equal(report.disabled, 2);
  assert.equal(verified, 1);
  assert.equal(report.formats.length, 1);
});

test('survey: with no verifiable row the capacity is unknown, not zero', async () => {
  const report = await surveyHashes(rowsOf([{ hash: 'zzz' }]), { verify: async () => undefined });
  assert.deepEqual([report.capacity.meanVerifyMs, report.capacity.verificationsPerSecondPerCore, report.capacity.coresAtEntraPeak], [null, null, null]);
});
