export class NdjsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NdjsonError';
  }
}

/**
 * Turns a byte stream into the JSON values of its lines, whatever the chunk boundaries: a line, and
 * a multi-byte UTF-8 character, may be split across any number of chunks.
 */
export class NdjsonDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private pending = '';

  constructor(private readonly maxLineChars = 1 << 20) {}

  push(chunk: Uint8Array): unknown[] {
    this.pending += this.utf8.decode(chunk, { stream: true });
    return this.takeLines();
  }

  /** Call once the stream has ended: a last line needs no trailing newline. */
  end(): unknown[] {
    this.pending += this.utf8.decode();
    const values = this.takeLines();
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() !== '') {
      values.push(this.parse(rest));
    }
    return values;
  }

  private takeLines(): unknown[] {
    const values: unknown[] = [];
    let start = 0;
    for (let newline = this.pending.indexOf('\n'); newline >= 0; newline = this.pending.indexOf('\n', start)) {
      const line = this.pending.slice(start, newline);
      start = newline + 1;
      if (line.trim() !== '') {
        values.push(this.parse(line));
      }
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length > this.maxLineChars) {
      throw new NdjsonError(`a line is longer than ${this.maxLineChars} characters`);
    }
    return values;
  }

  private parse(line: string): unknown {
    if (line.length > this.maxLineChars) {
      throw new NdjsonError(`a line is longer than ${this.maxLineChars} characters`);
    }
    try {
      return JSON.parse(line);
    } catch {
      throw new NdjsonError(`a line is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
}

/** The values of an NDJSON byte stream, read as they arrive. */
export async function* readNdjson(body: AsyncIterable<Uint8Array>, maxLineChars?: number): AsyncGenerator<unknown> {
  const decoder = new NdjsonDecoder(maxLineChars);
  for await (const chunk of body) {
    yield* decoder.push(chunk);
  }
  yield* decoder.end();
}
