import { nextUnlessAborted } from '../next-unless-aborted.js';

/**
 * Reads the source: its rows one by one, until it ends or the run is stopped. A stop is heard at once, even while
 * a slow source holds back its next row (`onStopped` is called, and the rows end). When the rows end before the
 * source does — stopped, failed, or left by the reader — the source is closed (its file or database cursor); not
 * awaited, since a read may still be pending after an abort.
 *
 * @example
 *   for await (const { line, row } of sourceRows(readSource('users.jsonl'), abortSignal, () => (stopped = true))) …
 */
export async function* sourceRows<T>(source: AsyncIterable<T>, abortSignal: AbortSignal | undefined, onStopped: () => void): AsyncGenerator<T, void, undefined> {
  const rows = source[Symbol.asyncIterator]();
  let readToTheEnd = false;
  try {
    for (;;) {
      const next = await nextUnlessAborted(rows, abortSignal);
      if (next === 'aborted') {
        onStopped();
        return;
      }
      if (next.done) {
        readToTheEnd = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!readToTheEnd) void Promise.resolve(rows.return?.()).catch(() => undefined);
  }
}
