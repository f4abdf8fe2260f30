import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixture, runMeasuredCli, temporaryDirectory, writeStreamed } from './support.js';

/**
 * Rows in the large run. 200,000 keeps the test under a minute; LEGACY_IMPORT_MEMORY_ROWS=1000000 measures the
 * issue's figure (docs/legacy-import.md reports it).
 */
const ROWS = Number(process.env.LEGACY_IMPORT_MEMORY_ROWS ?? 200_000);
const SMALL_ROWS = 10_000;
/**
 * What 20× (or 100×) the rows may add to the peak memory of the whole process (node and tsx are ~150 MiB of it).
 * Not zero: SQLite's page cache fills to its 32 MiB, and V8 lets the garbage of a long run build up to a multiple
 * of the live heap before collecting it (measured: the firebase JSON import peaks at 280 MiB for 200,000 rows and for
 * 1,000,000 alike, from 170 MiB for 10,000; a leak of 500 bytes a row would add 100 MiB at 200,000, 500 at 1,000,000).
 */
const GROWTH_ALLOWANCE_KIB = 160 * 1024;
/** The peak of the whole process, whatever the rows. */
const PEAK_CEILING_KIB = 384 * 1024;

const BCRYPT = (JSON.parse(readFileSync(fixture('auth0-users.ndjson'), 'utf8').split('\n')[0]!) as { passwordHash: string }).passwordHash;
const FIREBASE_HASH = JSON.parse(readFileSync(fixture('firebase-users.json'), 'utf8')).users[1].passwordHash as string;

let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => {
  dir = await temporaryDirectory('memory');
});
after(() => dir?.remove());

const formats = {
  auth0: {
    file: 'users.ndjson',
    args: ['--format', 'auth0'],
    *lines(count: number) {
      for (let i = 0; i < count; i++) yield `{"_id":{"$oid":"${i.toString(16).padStart(24, '0')}"},"email_verified":true,"email":"user${i}@bulk.example","passwordHash":"${BCRYPT}","password_set_date":{"$date":"2024-03-06T18:36:12.412Z"},"tenant":"bulk","connection":"Username-Password-Authentication","_tmp_is_unique":true}\n`;
    },
  },
  firebase: {
    file: 'users.json',
    args: ['--format', 'firebase', '--hash-config', fixture('firebase-hash-config.txt')],
    *lines(count: number) {
      yield '{"users": [\n';
      for (let i = 0; i < count; i++) {
        const user = { localId: `uid${i}`, email: `user${i}@bulk.example`, emailVerified: true, passwordHash: FIREBASE_HASH, salt: 'XPUK50bo3q/6fg95', displayName: `User ${i}`, createdAt: '1700000000000', lastSignedInAt: '1700000500000' };
        yield `${i === 0 ? '' : ',\n'}${JSON.stringify(user, null, 2)}`;
      }
      yield ']}';
    },
  },
};

describe(`${ROWS.toLocaleString('en-US')} accounts in bounded memory`, () => {
  for (const [name, format] of Object.entries(formats)) {
    test(`${name}: ${ROWS.toLocaleString('en-US')} rows import with the peak memory of ${SMALL_ROWS.toLocaleString('en-US')}`, { timeout: 30 * 60_000 }, async (t) => {
      const run = async (rows: number) => {
        const source = join(dir.path, `${rows}-${format.file}`);
        await writeStreamed(source, format.lines(rows));
        const result = await runMeasuredCli(['legacy', 'import', ...format.args, '--from', source, '--out', `sqlite://${join(dir.path, `${name}-${rows}.db`)}`], { timeoutInMs: 30 * 60_000 });
        await rm(source);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, new RegExp(`${rows.toLocaleString('en-US')} records read: ${rows.toLocaleString('en-US')} imported, 0 unusable`));
        return result;
      };
      const small = await run(SMALL_ROWS);
      const large = await run(ROWS);
      t.diagnostic(`${name}: ${SMALL_ROWS} rows peak ${Math.round(small.maxRssKiB / 1024)} MiB in ${small.elapsedInMs} ms; ${ROWS} rows peak ${Math.round(large.maxRssKiB / 1024)} MiB in ${large.elapsedInMs} ms`);
      assert.ok(large.maxRssKiB - small.maxRssKiB < GROWTH_ALLOWANCE_KIB, `peak ${large.maxRssKiB} KiB for ${ROWS} rows, ${small.maxRssKiB} KiB for ${SMALL_ROWS}`);
      assert.ok(large.maxRssKiB < PEAK_CEILING_KIB, `peak ${large.maxRssKiB} KiB for ${ROWS} rows`);
    });
  }
});
