/**
 * Base64url without padding (RFC 4648 §5), the encoding of receipt signatures and published keys.
 *
 * Decoding is strict so that each byte string has exactly one accepted text: no `=` padding, no
 * characters outside `A-Z a-z 0-9 - _` (so no whitespace and no standard-alphabet `+ /`), no length
 * that leaves a lone sextet, and no stray bits after the last byte.
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;
const VALUES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Base64url of `bytes`, without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url.
 *
 * @throws TypeError if `text` is padded, has a character outside the base64url alphabet, has a length
 *   of 1 modulo 4, or sets bits after the last encoded byte (a non-canonical encoding).
 */
export function decodeBase64Url(text: string): Uint8Array {
  if (!ALPHABET.test(text)) {
    throw new TypeError('decodeBase64Url: only unpadded base64url characters (A-Z a-z 0-9 - _) are allowed');
  }
  const tail = text.length % 4;
  if (tail === 1) {
    throw new TypeError('decodeBase64Url: invalid length');
  }
  // The last character of a 2- or 3-character group carries 4 or 2 bits that belong to no byte.
  const unusedBits = tail === 2 ? 0b1111 : tail === 3 ? 0b11 : 0;
  if (unusedBits !== 0 && (VALUES.indexOf(text[text.length - 1]) & unusedBits) !== 0) {
    throw new TypeError('decodeBase64Url: non-canonical encoding (trailing bits set)');
  }
  return Uint8Array.from(Buffer.from(text, 'base64url'));
}
