import { fromMicro, toMicro } from './money';

describe('money', () => {
  it('converts decimal strings to integer micro-AITBC and back exactly', () => {
    expect(toMicro('0.25')).toBe(250_000);
    expect(toMicro('100')).toBe(100_000_000);
    expect(toMicro('0.000001')).toBe(1);
    expect(toMicro('123456789012.123456')).toBe(123_456_789_012_123_456 / 1);
    expect(fromMicro(250_000)).toBe('0.25');
    expect(fromMicro(100_000_000)).toBe('100');
    expect(fromMicro(1)).toBe('0.000001');
    expect(fromMicro(0)).toBe('0');
  });

  it('refuses anything but a plain decimal', () => {
    for (const bad of ['-1', '1e3', '0.1234567', '01', '.5', '1.', 'NaN', '']) {
      expect(() => toMicro(bad)).toThrow(RangeError);
    }
  });
});
