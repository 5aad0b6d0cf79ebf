import { createHash } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { decodeBase64Url, encodeBase64Url } from './base64url';
import { isUint8Array, localBytes } from './bytes';
import { fromHex, toHex } from './hex';

/** Ed25519 sizes in bytes (RFC 8032). */
export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** libsodium's secret key: the 32-byte seed followed by the 32-byte public key. */
export const ED25519_SECRET_KEY_BYTES = 64;
export const ED25519_SIGNATURE_BYTES = 64;

/** An Ed25519 key pair in libsodium's layout. */
export interface Ed25519KeyPair {
  /** 32 bytes. */
  readonly publicKey: Uint8Array;
  /** 64 bytes: seed ‖ public key. Never log it, never put it in a receipt. */
  readonly secretKey: Uint8Array;
}

const SEED_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Resolves once libsodium (WebAssembly, loaded asynchronously) can be used. Await it once at startup,
 * before any other function of this module.
 */
export async function ready(): Promise<void> {
  await sodium.ready;
}

/**
 * The key pair for a 32-byte seed written as 64 hexadecimal digits (either case), the form of
 * `RECEIPT_SIGNING_KEY_HEX`.
 *
 * @throws TypeError if `seedHex` is not a string of exactly 64 hexadecimal digits. The message never
 *   echoes the input, which may be a secret.
 */
export function keyPairFromSeedHex(seedHex: string): Ed25519KeyPair {
  if (typeof seedHex !== 'string' || !SEED_HEX.test(seedHex)) {
    const length = typeof seedHex === 'string' ? `${seedHex.length} characters` : typeof seedHex;
    throw new TypeError(`keyPairFromSeedHex: the seed must be exactly 64 hexadecimal digits (32 bytes), got ${length}`);
  }
  return keyPairFromSeed(fromHex(seedHex));
}

/**
 * The key pair for a 32-byte seed (RFC 8032's "secret key").
 *
 * @throws TypeError if `seed` is not 32 bytes.
 */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  assertBytes(seed, ED25519_SEED_BYTES, 'keyPairFromSeed: seed');
  const { publicKey, privateKey } = loaded().crypto_sign_seed_keypair(localBytes(seed));
  return { publicKey, secretKey: privateKey };
}

/**
 * The detached 64-byte Ed25519 signature of `message`. Deterministic: the same key and message always
 * give the same signature.
 *
 * @throws TypeError if `secretKey` is not the 64-byte libsodium secret key.
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(message, undefined, 'sign: message');
  assertBytes(secretKey, ED25519_SECRET_KEY_BYTES, 'sign: secretKey');
  return loaded().crypto_sign_detached(localBytes(message), localBytes(secretKey));
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`. Returns `false`,
 * never throws, for any malformed input: wrong types or lengths, a public key that is not a curve
 * point, a non-canonical signature.
 *
 * @throws Error only if {@link ready} has not resolved yet (a programming error, not bad input).
 */
export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  const lib = loaded();
  if (
    !isUint8Array(message) ||
    !isBytes(signature, ED25519_SIGNATURE_BYTES) ||
    !isBytes(publicKey, ED25519_PUBLIC_KEY_BYTES)
  ) {
    return false;
  }
  try {
    return lib.crypto_sign_verify_detached(localBytes(signature), localBytes(message), localBytes(publicKey));
  } catch {
    return false;
  }
}

/**
 * A short, stable identifier of a public key: the first 16 lowercase hex digits (64 bits) of
 * SHA-256 over the 32 raw public-key bytes. It names a key in receipts (`signature.key_id`) and in
 * `/.well-known/aitbc-keys.json`; it is a label for choosing a key, not a substitute for comparing keys.
 *
 * @throws TypeError if `publicKey` is not 32 bytes.
 */
export function keyId(publicKey: Uint8Array): string {
  assertBytes(publicKey, ED25519_PUBLIC_KEY_BYTES, 'keyId: publicKey');
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** Unpadded base64url of a 32-byte public key. @throws TypeError if it is not 32 bytes. */
export function publicKeyToBase64Url(publicKey: Uint8Array): string {
  assertBytes(publicKey, ED25519_PUBLIC_KEY_BYTES, 'publicKeyToBase64Url: publicKey');
  return encodeBase64Url(publicKey);
}

/** Lowercase hex of a 32-byte public key. @throws TypeError if it is not 32 bytes. */
export function publicKeyToHex(publicKey: Uint8Array): string {
  assertBytes(publicKey, ED25519_PUBLIC_KEY_BYTES, 'publicKeyToHex: publicKey');
  return toHex(publicKey);
}

/** A public key from unpadded base64url. @throws TypeError if malformed or not 32 bytes. */
export function publicKeyFromBase64Url(text: string): Uint8Array {
  const publicKey = decodeBase64Url(text);
  assertBytes(publicKey, ED25519_PUBLIC_KEY_BYTES, 'publicKeyFromBase64Url: publicKey');
  return publicKey;
}

/** A public key from hexadecimal. @throws TypeError if malformed or not 32 bytes. */
export function publicKeyFromHex(text: string): Uint8Array {
  const publicKey = fromHex(text);
  assertBytes(publicKey, ED25519_PUBLIC_KEY_BYTES, 'publicKeyFromHex: publicKey');
  return publicKey;
}

function loaded(): typeof sodium {
  // Until sodium.ready resolves, the wrapper's functions are not defined yet.
  if (typeof sodium.crypto_sign_verify_detached !== 'function') {
    throw new Error('@aitbc/crypto: libsodium is not loaded yet; await ready() first');
  }
  return sodium;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return isUint8Array(value) && value.length === length;
}

function assertBytes(value: unknown, length: number | undefined, name: string): asserts value is Uint8Array {
  if (!isUint8Array(value)) {
    throw new TypeError(`${name} must be a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new TypeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
}
