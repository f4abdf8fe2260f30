import { createReadStream } from 'node:fs';

/** A line of a text file (1-based), or why it was not read (too long, not UTF-8). */
export type BoundedLine = { line: number; text: string } | { line: number; problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The lines of a file, each at most `maxBytes` long, in memory one at a time: a longer line is reported as a
 * problem and skipped to its end without being held (a 100 MB line costs `maxBytes`, not 100 MB), so one damaged
 * line does not stop the rest. A line ends at LF; a CR before it and a byte order mark on line 1 are dropped. Blank
 * lines are yielded too (as ''), so that numbering matches an editor's.
 *
 * @example
 *   for await (const line of readBoundedLines('./users.ndjson', 1024 * 1024)) …
 */
export async function* readBoundedLines(path: string, maxBytes: number): AsyncGenerator<BoundedLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let overlong = false;
  let line = 1;
  const take = (segment: Buffer) => {
    if (overlong) return;
    if (held + segment.length > maxBytes) {
      overlong = true;
      parts = [];
      held = 0;
      return;
    }
    parts.push(segment);
    held += segment.length;
  };
  const finish = (): BoundedLine => {
    const result = overlong ? { line, problem: `line longer than ${maxBytes.toLocaleString('en-US')} bytes` } : decoded(line, parts);
    parts = [];
    held = 0;
    overlong = false;
    line++;
    return result;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      take(chunk.subarray(start, end));
      yield finish();
      start = end + 1;
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (held > 0 || overlong) yield finish();
}

function decoded(line: number, parts: readonly Buffer[]): BoundedLine {
  let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
  try {
    const text = utf8.decode(bytes);
    return { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
  } catch {
    return { line, problem: 'line is not UTF-8 text' };
  }
}
