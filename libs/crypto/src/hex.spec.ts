import { fromHex, toHex } from './hex';

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    expect(toHex(Uint8Array.of(0x00, 0x0f, 0xab, 0xff))).toBe('000fabff');
    expect(fromHex('000FabFF')).toEqual(Uint8Array.of(0x00, 0x0f, 0xab, 0xff));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('encodes only the viewed bytes of a subarray', () => {
    expect(toHex(Uint8Array.of(1, 2, 3, 4).subarray(1, 3))).toBe('0203');
  });

  it.each(['0', 'abc', '0g', '0x00', ' 00', '00 ', '0\u0660'])('rejects %j', (text) => {
    expect(() => fromHex(text)).toThrow(new TypeError('fromHex: expected an even number of hexadecimal digits'));
  });
});
