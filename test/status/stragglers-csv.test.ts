import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { writeFileAtomically } from '../../src/cli/write-file-atomically.js';
import { csvCell, stragglerCsvLines, type StragglerExportCount } from '../../src/status/index.js';
import { seedStatusLedger } from './seed-status-ledger.js';

describe('csvCell', () => {
  test('plain text stays as it is', () => {
    assert.equal(csvCell('u1@example.com'), 'u1@example.com');
    assert.equal(csvCell(''), '');
  });
  test('a quote, a comma or a line break is quoted, quotes doubled (RFC 4180)', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
  });
  test('a cell a spreadsheet would run as a formula is prefixed with a quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.equal(csvCell(`${start}SUM(A1)`).replace(/^"/, '').startsWith(`'${start}`), true, JSON.stringify(start));
    assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvCell('a=b'), 'a=b', 'only the first character matters');
  });
});

describe('the stragglers export', () => {
  let dir: string;
  let ledger: Ledger;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stragglers-csv-'));
    ledger = await openLedger(`sqlite://${join(dir, 'ledger.db')}`);
    await seedStatusLedger(ledger);
  });
  after(async () => {
    await ledger?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a header, one CRLF line per account in legacy-id order, escaped and injection-safe, mode 600', async () => {
    const path = join(dir, 'stragglers.csv');
    const count: StragglerExportCount = { accounts: 0, neverSignedIn: 0 };
    await writeFileAtomically(path, stragglerCsvLines(ledger, count));
    assert.equal(
      await readFile(path, 'utf8'),
      [
        'legacy_id,email,pre_created_at,last_attempt_at,last_answer',
        '\'=1+2,"\'-x@example.com, ""q""",2026-11-01T00:00:00.000Z,,',
        'a-blocked,a-blocked@example.com,2026-11-01T00:00:00.000Z,2026-11-28T00:00:00.000Z,Block',
        'a-never1,a-never1@example.com,2026-11-01T00:00:00.000Z,,',
        'a-never2,a-never2@example.com,2026-11-01T00:00:00.000Z,,',
        'a-pending-recon,a-pending-recon@example.com,2026-11-01T00:00:00.000Z,,',
        'a-retry,a-retry@example.com,2026-11-01T00:00:00.000Z,2026-11-29T11:00:00.000Z,Block',
        'a-update,a-update@example.com,2026-11-01T00:00:00.000Z,2026-11-29T10:00:00.000Z,UpdatePassword',
        '',
      ].join('\r\n'),
    );
    assert.deepEqual(count, { accounts: 7, neverSignedIn: 4 });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  test('pages of 1,000 are followed to the end', async () => {
    const big = await openLedger(`sqlite://${join(dir, 'big.db')}`);
    try {
      for (let i = 0; i < 2500; i++) {
        await big.recordAccount({ legacyId: `id-${String(i).padStart(5, '0')}`, email: `u${i}@example.com`, state: 'created', entraObjectId: `o-${i}`, reason: null, updatedAt: new Date('2026-11-01T00:00:00Z') });
      }
      const count: StragglerExportCount = { accounts: 0, neverSignedIn: 0 };
      const lines: string[] = [];
      for await (const line of stragglerCsvLines(big, count)) lines.push(line);
      assert.equal(lines.length, 2501);
      assert.equal(new Set(lines).size, 2501, 'no account twice across pages');
      assert.deepEqual(count, { accounts: 2500, neverSignedIn: 2500 });
    } finally {
      await big.close();
    }
  });

  test('a failure part-way leaves the old file whole and no temporary file behind', async () => {
    const path = join(dir, 'kept.csv');
    await writeFile(path, 'old\r\n');
    async function* failing() {
      yield 'legacy_id\r\n';
      throw new Error('the ledger went away');
    }
    await assert.rejects(writeFileAtomically(path, failing()), /went away/);
    assert.equal(await readFile(path, 'utf8'), 'old\r\n');
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
  });
});
