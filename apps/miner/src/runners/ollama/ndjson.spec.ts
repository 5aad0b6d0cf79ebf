import { Readable } from 'node:stream';
import { NdjsonDecoder, NdjsonError, readNdjson } from './ndjson';

const bytes = (text: string) => new TextEncoder().encode(text);

const chunks = (...parts: Uint8Array[]): AsyncIterable<Uint8Array> => Readable.from(parts);

async function collect(source: AsyncIterable<unknown>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of source) {
    values.push(value);
  }
  return values;
}

describe('NdjsonDecoder', () => {
  const stream = '{"response":"Hé"}\n{"response":"→ ok","done":false}\n{"done":true,"eval_count":2}\n';
  const expected = [{ response: 'Hé' }, { response: '→ ok', done: false }, { done: true, eval_count: 2 }];

  it('gives the same values however the bytes are split, even inside a multi-byte character', () => {
    const all = bytes(stream);
    for (let cut = 1; cut < all.length; cut += 1) {
      const decoder = new NdjsonDecoder();
      const values = [...decoder.push(all.subarray(0, cut)), ...decoder.push(all.subarray(cut)), ...decoder.end()];
      expect(values).toEqual(expected);
    }
  });

  it('gives the same values when every byte arrives on its own', async () => {
    const single = [...bytes(stream)].map((byte) => Uint8Array.of(byte));
    await expect(collect(readNdjson(chunks(...single)))).resolves.toEqual(expected);
  });

  it('reads a last line without a newline and skips blank lines', async () => {
    await expect(collect(readNdjson(chunks(bytes('\n{"a":1}\r\n\n{"b":2}'))))).resolves.toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses a line that is not JSON, naming a short piece of it', () => {
    expect(() => new NdjsonDecoder().push(bytes('{"a":1}\nnot json\n'))).toThrow(
      new NdjsonError('a line is not JSON: "not json"'),
    );
  });

  it('refuses a line longer than its limit before it ends', () => {
    const decoder = new NdjsonDecoder(16);
    expect(decoder.push(bytes('{"a":"short"}\n'))).toEqual([{ a: 'short' }]);
    expect(() => decoder.push(bytes('{"a":"this line never ends'))).toThrow('a line is longer than 16 characters');
  });
});
