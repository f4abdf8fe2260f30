import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readSource, type SourceRow } from '../../src/bulk/index.js';

describe('readSource: rows and the lines they start on', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sources-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (name: string, content: string): Promise<SourceRow[]> => {
    const path = join(dir, name);
    await writeFile(path, content);
    const rows: SourceRow[] = [];
    for await (const row of readSource(path)) rows.push(row);
    return rows;
  };
  const linesOf = (rows: SourceRow[]) => rows.map((row) => [row.line, row.row?.id ?? row.error]);

  test('a CSV record is numbered by the file line it starts on: the header is line 1, blank lines and line breaks in quoted fields count', async () => {
    const lf = await read('lf.csv', 'id,email,note\n\na1,a@x.example,"two\nlines"\na2,b@x.example,plain\n\n\na3,c@x.example,"x\n\ny"\na4,d@x.example,last');
    assert.deepEqual(linesOf(lf), [[3, 'a1'], [5, 'a2'], [8, 'a3'], [11, 'a4']]);
    assert.equal(lf[0]!.row!.note, 'two\nlines');
    // CRLF files, with a CRLF inside a quoted field (csv-parse's own line count takes that for two lines).
    const crlf = await read('crlf.csv', 'id,email\r\nb1,a@x.example\r\n\r\n"b\r\n2",b@x.example\r\nb3,c@x.example\r\n');
    assert.deepEqual(linesOf(crlf), [[2, 'b1'], [4, 'b\r\n2'], [6, 'b3']]);
    const bom = await read('bom.csv', '\uFEFFid,email\nc1,a@x.example\n');
    assert.deepEqual(bom.map((row) => row.row), [{ id: 'c1', email: 'a@x.example' }]);
    assert.deepEqual(linesOf(bom), [[2, 'c1']]);
  });

  test('a CSV record with the wrong number of fields is rejected alone; the rows after it are read', async () => {
    const rows = await read('fields.csv', 'id,email\nd1,a@x.example\nd2,b@x.example,extra\nd3\nd4,d@x.example\n');
    assert.deepEqual(linesOf(rows), [[2, 'd1'], [3, '3 fields where the header has 2'], [4, '1 fields where the header has 2'], [5, 'd4']]);
  });

  test('a stray quote ends the CSV there, after every row before it, and says so by line without quoting the field', async () => {
    const good = Array.from({ length: 1000 }, (_, i) => `e${i},e${i}@x.example,pw`);
    const rows = await read('quote.csv', ['id,email,password', ...good, 'bad,bad@x.example,se"cret-value', 'e-late,late@x.example,pw'].join('\n') + '\n');
    // Before, the parse error reached the reader first: the 1,000 rows in the same chunk were lost and it said line 1.
    assert.equal(rows.length, 1001);
    assert.deepEqual(linesOf(rows.slice(-2)), [[1001, 'e999'], [1002, 'not readable as CSV (Invalid Opening Quote); the rows after it were not read either']]);
    assert.doesNotMatch(JSON.stringify(rows.at(-1)), /cret-value/);
    const unclosed = await read('unclosed.csv', 'id,email\nf1,a@x.example\n\nf2,"b@x.example\nf3,c@x.example\n');
    assert.deepEqual(linesOf(unclosed), [[2, 'f1'], [4, 'not readable as CSV (Quote Not Closed); the rows after it were not read either']]);
  });

  test('a CSV header naming a column twice is refused before any row', async () => {
    assert.deepEqual(linesOf(await read('twice.csv', 'id,email,email\ng1,a@x.example,b@x.example\n')), [[1, 'the header names the column "email" twice; no row was read']]);
  });

  test('JSON Lines: each line is its own number, blank lines included; a byte order mark is not part of the first record', async () => {
    const rows = await read('users.jsonl', '\uFEFF{"id":"h1"}\r\n\r\n{"id":"h2"}\n[1]\nnope\n{"id":"h3"}');
    assert.deepEqual(linesOf(rows), [[1, 'h1'], [3, 'h2'], [4, 'not a JSON object'], [5, 'not JSON'], [6, 'h3']]);
  });
});
