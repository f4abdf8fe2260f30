/**
 * Counts the line breaks (CRLF, LF or a lone CR) of a byte stream up to an offset, as its chunks go by: what gives
 * a CSV record the line it starts on, since the parser's own count is off after a CRLF inside a quoted field.
 * Holds only the chunks not yet counted.
 *
 * @example
 *   const breaks = new LineBreakCounter();
 *   breaks.push(Buffer.from('a\r\nb\nc'));
 *   breaks.before(5); // 2
 */
export class LineBreakCounter {
  readonly #chunks: Buffer[] = [];
  #offset = 0;
  #count = 0;
  /** The last byte counted: a CR at the end of one chunk pairs with an LF at the start of the next. */
  #previous = 0;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  /** The line breaks in the first `bytes` bytes; `bytes` never decreases from call to call. */
  before(bytes: number): number {
    while (this.#offset < bytes && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const part = chunk.subarray(0, bytes - this.#offset);
      for (let i = part.indexOf(13); i !== -1; i = part.indexOf(13, i + 1)) this.#count++;
      for (let i = part.indexOf(10); i !== -1; i = part.indexOf(10, i + 1)) if ((i === 0 ? this.#previous : part[i - 1]) !== 13) this.#count++;
      this.#offset += part.length;
      this.#previous = part[part.length - 1] ?? this.#previous;
      if (part.length === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part.length);
    }
    return this.#count;
  }
}
