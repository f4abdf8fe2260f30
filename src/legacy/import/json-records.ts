import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import Assembler from 'stream-json/assembler.js';
import jsoncParser from 'stream-json/jsonc/parser.js';
import jsoncVerifier from 'stream-json/jsonc/verifier.js';
import { malformedSource } from './errors.js';

/** One element of the array: the object and the line its `{` is on, or why it was not read. */
export type JsonRecord = { line: number; value: Record<string, unknown> } | { line: number; problem: string };

export interface JsonRecordsOptions {
  /** The top-level key of the array of records: `users` in Firebase and Keycloak exports. */
  arrayKey: string;
  /** The file as messages show it. */
  shown: string;
  /** What the file should be, for messages: `a Firebase auth:export JSON file`. */
  expected: string;
  /** Longest single string, key or number, in bytes: a longer one stops the import (it is not an export). */
  maxValueBytes: number;
  /** Largest record, in characters of its keys and values: a larger one is skipped and reported. */
  maxRecordChars: number;
  /** Deepest nesting: deeper stops the import. */
  maxDepth: number;
}

interface Token {
  name: string;
  value?: unknown;
}

/**
 * Streams the objects of the array at `arrayKey` of a JSON file's top-level object (`{"users": [{…}, {…}]}`), one at
 * a time, each with the line it starts on; everything else in the file is read past without being kept (a Keycloak
 * realm's clients and roles). Memory holds one record: a string, key or number over `maxValueBytes` or nesting over
 * `maxDepth` stops the import with `LEGACY_IMPORT_SOURCE_MALFORMED`, as do invalid JSON (with its exact line, found
 * by stream-json's verifier) and a file of the wrong shape; a record over `maxRecordChars` and an element that is not
 * an object are yielded as problems and the rest is read. Comments and trailing commas are tolerated (stream-json's
 * JSONC parser: its whitespace tokens are what give each record its line).
 *
 * @example
 *   for await (const record of readJsonRecords('./users.json', { arrayKey: 'users', shown: 'users.json', expected: 'a Firebase export', maxValueBytes: 2 ** 20, maxRecordChars: 2 ** 20, maxDepth: 32 })) …
 */
export async function* readJsonRecords(path: string, options: JsonRecordsOptions): AsyncGenerator<JsonRecord> {
  const guard = new ValueSizeGuard(options.maxValueBytes);
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const tokens = source.pipe(guard).pipe(jsoncParser.asStream({ packValues: true, streamValues: false }));
  source.on('error', (error) => guard.destroy(error));
  guard.on('error', (error) => tokens.destroy(error));
  const at = (line: number) => `${options.shown} line ${line}`;
  let line = 1;
  let depth = 0;
  /** The top-level key whose value is being read, and whether that value is the array of records. */
  let topKey: unknown = null;
  let inArray = false;
  let arraySeen = false;
  /** The record being read (depth ≥ 3 inside the array): its start, its assembler (null once over the limit), its size. */
  let record: { line: number; assembler: Assembler | null; chars: number; notObject: boolean } | null = null;
  try {
    for await (const token of tokens as AsyncIterable<Token>) {
      guard.tokenSeen();
      const { name } = token;
      if (name === 'whitespace' || name === 'comment') {
        line += newlines(token.value as string);
        continue;
      }
      const opens = name === 'startObject' || name === 'startArray';
      const closes = name === 'endObject' || name === 'endArray';
      if (depth === 0) {
        if (name !== 'startObject') throw malformedSource(at(line), `not ${options.expected}: expected a JSON object with a "${options.arrayKey}" array`);
      } else if (depth === 1 && name === 'keyValue') {
        topKey = token.value;
      } else if (depth === 1 && !closes && topKey === options.arrayKey) {
        if (name !== 'startArray') throw malformedSource(at(line), `not ${options.expected}: "${options.arrayKey}" is not an array`);
        inArray = true;
        arraySeen = true;
      } else if (depth === 2 && inArray && !closes && record === null) {
        // An element of the array begins.
        record = { line, assembler: name === 'startObject' ? new Assembler() : null, chars: 0, notObject: name !== 'startObject' };
      }
      if (record !== null) {
        record.chars += typeof token.value === 'string' ? token.value.length + 4 : 2;
        if (record.assembler !== null && record.chars > options.maxRecordChars) record.assembler = null;
        record.assembler?.consume(token as Parameters<Assembler['consume']>[0]);
      }
      if (opens && ++depth > options.maxDepth) throw malformedSource(at(line), `nested deeper than ${options.maxDepth} levels: not ${options.expected}`);
      if (closes) depth--;
      if (depth === 1 && inArray && name === 'endArray') inArray = false;
      if (record !== null && depth === 2) {
        // The element ended (or was a single value).
        if (record.notObject) yield { line: record.line, problem: 'record is not a JSON object' };
        else if (record.assembler === null) yield { line: record.line, problem: `record larger than ${options.maxRecordChars.toLocaleString('en-US')} characters` };
        else yield { line: record.line, value: record.assembler.current as Record<string, unknown> };
        record = null;
      }
      if (depth === 1 && !opens && name !== 'keyValue') topKey = null;
      if (depth === 1 && closes) topKey = null;
    }
  } catch (error) {
    if (error instanceof ValueTooLarge) throw malformedSource(at(line), `a value longer than ${options.maxValueBytes.toLocaleString('en-US')} bytes follows: not ${options.expected}`);
    if (error instanceof Error && /^Parser /.test(error.message)) {
      const position = await errorLine(path);
      throw malformedSource(at(position ?? line), `invalid JSON (${error.message.replace(/^Parser (cannot parse input: |has )?/, '')})`);
    }
    throw error;
  } finally {
    source.destroy();
    tokens.destroy();
  }
  if (!arraySeen) throw malformedSource(options.shown, `not ${options.expected}: it has no "${options.arrayKey}" array`);
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The line of the first JSON error in the file, by stream-json's verifier (read again only when the parse failed). */
async function errorLine(path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const verifier = jsoncVerifier.asStream();
    verifier.on('error', (error: Error & { line?: number }) => resolve(error.line));
    verifier.on('finish', () => resolve(undefined));
    const source = createReadStream(path);
    source.on('error', () => resolve(undefined));
    source.pipe(verifier);
    verifier.resume();
  });
}

class ValueTooLarge extends Error {}

/**
 * Passes the file's bytes to the parser and stops them when more than `maxBytes` have gone by without the parser
 * producing a token: the parser holds a string, key or number whole before emitting it, so a 100 MB value would
 * otherwise sit in memory. The reader calls `tokenSeen()` for each token it takes.
 */
class ValueSizeGuard extends Transform {
  #bytes = 0;
  #bytesAtLastToken = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  tokenSeen(): void {
    this.#bytesAtLastToken = this.#bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes - this.#bytesAtLastToken > this.maxBytes) done(new ValueTooLarge());
    else done(null, chunk);
  }
}
