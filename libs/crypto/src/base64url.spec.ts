import fc from 'fast-check';
import { decodeBase64Url, encodeBase64Url } from './base64url';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('base64url', () => {
  // RFC 4648 §10 test vectors, without their padding.
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j and back', (text, encoded) => {
    expect(encodeBase64Url(ascii(text))).toBe(encoded);
    expect(decodeBase64Url(encoded)).toEqual(Uint8Array.from(ascii(text)));
  });

  it('uses - and _ where standard base64 uses + and /', () => {
    expect(encodeBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(encodeBase64Url(Uint8Array.of(0xfb, 0xef, 0xbe))).toBe('----');
    expect(encodeBase64Url(Uint8Array.of(0xff, 0xff, 0xff))).toBe('____');
    expect(decodeBase64Url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
  });

  it('encodes only the viewed bytes of a subarray', () => {
    expect(encodeBase64Url(ascii('xfoox').subarray(1, 4))).toBe('Zm9v');
  });

  it('round-trips any bytes, and every accepted text is the one encoding of its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), (text) => {
        let bytes: Uint8Array;
        try {
          bytes = decodeBase64Url(text);
        } catch {
          return;
        }
        expect(encodeBase64Url(bytes)).toBe(text);
      }),
    );
  });

  it.each([
    ['padding', 'Zg=='],
    ['a single pad character', 'Zm8='],
    ['standard-alphabet +', '+_8'],
    ['standard-alphabet /', '-/8'],
    ['whitespace', 'Zm9v Zm9v'],
    ['a trailing newline', 'Zm9v\n'],
    ['a non-ASCII character', 'Zm9\u00e9'],
    ['a dot', 'Zm9.'],
  ])('rejects %s', (_case, text) => {
    expect(() => decodeBase64Url(text)).toThrow(
      new TypeError('decodeBase64Url: only unpadded base64url characters (A-Z a-z 0-9 - _) are allowed'),
    );
  });

  it.each(['Z', 'Zm9vY', 'Zm9vYmFyZ'])('rejects the impossible length of %j', (text) => {
    expect(() => decodeBase64Url(text)).toThrow(new TypeError('decodeBase64Url: invalid length'));
  });

  // "Zg" is "f"; "Zh" to "Zv" decode to "f" as well in lenient decoders, through bits that belong to no byte.
  it.each(['Zh', 'Zv', 'Zm9', 'Zm-', 'Zm9vYh', 'Zm9vYmF'])('rejects the non-canonical %j', (text) => {
    expect(() => decodeBase64Url(text)).toThrow(
      new TypeError('decodeBase64Url: non-canonical encoding (trailing bits set)'),
    );
  });
});
