const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hexadecimal of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes hexadecimal (either case).
 *
 * @throws TypeError if `text` has an odd length or a character outside `0-9a-fA-F`.
 */
export function fromHex(text: string): Uint8Array {
  if (!HEX.test(text)) {
    throw new TypeError('fromHex: expected an even number of hexadecimal digits');
  }
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
