/** Money is integer micro-AITBC inside and a decimal string on the wire ("0.25"). */
export const MICRO = 1_000_000;
export const DECIMAL_AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,6})?$/;

/** "0.25" → 250000. Throws on anything that is not a plain non-negative decimal with ≤ 6 places. */
export function toMicro(amount: string): number {
  if (!DECIMAL_AMOUNT.test(amount)) {
    throw new RangeError(`not an amount: ${amount}`);
  }
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * MICRO + Number(fraction.padEnd(6, '0'));
}

/** 250000 → "0.25" (no trailing zeros, no float arithmetic). */
export function fromMicro(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO);
  const fraction = String(abs % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
