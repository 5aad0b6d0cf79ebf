import fc from 'fast-check';
import { canonicalBytes, canonicalize, withoutNulls } from './canonical-json';

/** The IEEE 754 double whose 64 bits are `hex`, so number tests do not depend on parsing decimals. */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalize: RFC 8785 examples', () => {
  it('§3.2.2: serializes the primitive-types example exactly', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

    expect(canonicalize(JSON.parse(input))).toBe(expected);
    expect(Buffer.from(canonicalBytes(JSON.parse(input)))).toEqual(Buffer.from(expected, 'utf8'));
  });

  it('§3.2.3: sorts members by UTF-16 code units (the emoji sorts before U+FB33)', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;

    expect(canonicalize(JSON.parse(input))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('§3.2.4: emits UTF-8', () => {
    expect(Buffer.from(canonicalBytes({ '\u20ac': '\ud83d\ude00' })).toString('hex')).toBe(
      '7b22e282ac223a22f09f9880227d',
    );
  });

  // Appendix B, "Number Serialization Samples": IEEE 754 bits → canonical text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B: 0x%s → %s', (bits, expected) => {
    expect(canonicalize(double(bits))).toBe(expected);
    expect(canonicalize({ n: double(bits) })).toBe(`{"n":${expected}}`);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('Appendix B: 0x%s (%s) is rejected', (bits, name) => {
    expect(() => canonicalize({ n: double(bits) })).toThrow(
      new TypeError(`canonicalize: ${name} is not a JSON number at $.n`),
    );
  });

  it('switches to exponent notation at 1e21, as Number.prototype.toString does', () => {
    expect(canonicalize([1e20, 1e21, 1e-6, 1e-7, 123.0, 0.1 + 0.2])).toBe(
      '[100000000000000000000,1e+21,0.000001,1e-7,123,0.30000000000000004]',
    );
  });
});

describe('canonicalize', () => {
  it('serializes top-level primitives', () => {
    expect([null, true, false, 0, -0, -1.5, '', 'a'].map(canonicalize)).toEqual([
      'null',
      'true',
      'false',
      '0',
      '0',
      '-1.5',
      '""',
      '"a"',
    ]);
  });

  it('sorts nested objects, keeps array order, and writes no whitespace', () => {
    expect(canonicalize({ b: [{ z: 1, a: [3, 1, 2] }], a: { '': 0, ab: 1, a: 2 } })).toBe(
      '{"a":{"":0,"a":2,"ab":1},"b":[{"a":[3,1,2],"z":1}]}',
    );
  });

  it('escapes only quote, backslash and C0 controls (short forms where JSON has them), lowercase hex', () => {
    expect(canonicalize('\u0000\u0007\b\t\n\u000b\f\r\u001f "\\/\u007f\u2028\u2029<>&')).toBe(
      '"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f \\"\\\\/\u007f\u2028\u2029<>&"',
    );
  });

  it('does not normalize Unicode', () => {
    expect(canonicalize('\u00e9')).not.toBe(canonicalize('e\u0301'));
  });

  it('accepts null-prototype objects and a "__proto__" member', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    expect(canonicalize(JSON.parse('{"__proto__":{"x":1},"a":0}'))).toBe('{"__proto__":{"x":1},"a":0}');
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  class Money {
    constructor(readonly micros: number) {}
  }
  const hole: unknown[] = [1];
  hole[2] = 3;
  const withSymbolKey = { a: 1, [Symbol('hidden')]: 2 };

  it.each<[string, unknown, string]>([
    ['undefined member', { a: { b: undefined } }, 'undefined is not JSON data at $.a.b'],
    ['undefined element', [1, undefined], 'undefined is not JSON data at $[1]'],
    ['array hole', hole, 'undefined is not JSON data at $[1]'],
    ['function', { f: () => 1 }, 'function is not JSON data at $.f'],
    ['symbol', { 'odd key': Symbol('s') }, 'symbol is not JSON data at $["odd key"]'],
    ['bigint', { amount: 10n }, 'bigint is not JSON data at $.amount'],
    ['NaN', { numbers: [1, NaN] }, 'NaN is not a JSON number at $.numbers[1]'],
    ['Date', { at: new Date(0) }, 'Date is not a plain object at $.at'],
    ['Map', { m: new Map() }, 'Map is not a plain object at $.m'],
    ['class instance', { price: new Money(1) }, 'Money is not a plain object at $.price'],
    ['boxed string', [new String('x')], 'String is not a plain object at $[0]'],
    ['typed array', { bytes: new Uint8Array(1) }, 'Uint8Array is not a plain object at $.bytes'],
    ['symbol key', { o: withSymbolKey }, 'object has symbol keys at $.o'],
    ['lone surrogate in a string', { s: 'a\ud800b' }, 'string contains a lone UTF-16 surrogate at $.s'],
    ['lone surrogate in a key', { '\udc00': 1 }, 'string contains a lone UTF-16 surrogate at $["\\udc00"]'],
  ])('rejects %s with a TypeError naming the path', (_name, value, message) => {
    expect(() => canonicalize(value)).toThrow(new TypeError(`canonicalize: ${message}`));
  });

  it('rejects cycles', () => {
    const receipt: Record<string, unknown> = { items: [] };
    (receipt.items as unknown[]).push({ parent: receipt });
    expect(() => canonicalize(receipt)).toThrow(
      new TypeError('canonicalize: cycle: the value contains itself at $.items[0].parent'),
    );
  });

  it('orders integer-like names by code units too, not in JavaScript property order', () => {
    expect(canonicalize({ a: 3, '9': 2, '10': 1, '': 0 })).toBe('{"":0,"10":1,"9":2,"a":3}');
  });

  it('writes every primitive as JSON.stringify does and is stable under a parse round trip', () => {
    // A string-built reference: a key-sorted object copy would not do, as JavaScript lists integer-like keys first.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) {
        return `[${value.map(reference).join(',')}]`;
      }
      if (typeof value === 'object' && value !== null) {
        const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${keys.map((key) => `${JSON.stringify(key)}:${reference((value as Record<string, unknown>)[key])}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalize(value);
        expect(canonical).toBe(reference(value));
        expect(canonicalize(JSON.parse(canonical))).toBe(canonical);
      }),
    );
  });
});

describe('withoutNulls', () => {
  it('drops null members at every depth and keeps null array elements', () => {
    const receipt = {
      version: '1.0',
      model: null,
      block_height: null,
      attestations: [{ alg: 'Ed25519', key_id: null }, null],
      nested: { a: { b: null, c: 0, d: false, e: '' } },
    };
    expect(withoutNulls(receipt)).toEqual({
      version: '1.0',
      attestations: [{ alg: 'Ed25519' }, null],
      nested: { a: { c: 0, d: false, e: '' } },
    });
    expect(canonicalize(withoutNulls(receipt))).toBe(
      '{"attestations":[{"alg":"Ed25519"},null],"nested":{"a":{"c":0,"d":false,"e":""}},"version":"1.0"}',
    );
  });

  it('does not modify its input', () => {
    const input = { a: null, b: { c: null } };
    withoutNulls(input);
    expect(input).toEqual({ a: null, b: { c: null } });
  });

  it('keeps a "__proto__" member as a member', () => {
    const cleaned = withoutNulls(JSON.parse('{"__proto__":{"x":1,"y":null}}') as unknown);
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(canonicalize(cleaned)).toBe('{"__proto__":{"x":1}}');
  });

  it('returns primitives and null as they are, and leaves non-plain objects for canonicalize to reject', () => {
    const date = new Date(0);
    expect(withoutNulls(null)).toBeNull();
    expect(withoutNulls(7)).toBe(7);
    expect(withoutNulls({ at: date }).at).toBe(date);
  });

  it('rejects cycles', () => {
    const loop: Record<string, unknown> = {};
    loop.self = [loop];
    expect(() => withoutNulls(loop)).toThrow(
      new TypeError('canonicalize: cycle: the value contains itself at $.self[0]'),
    );
  });
});
