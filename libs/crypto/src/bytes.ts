/**
 * Byte-array checks that also accept a `Uint8Array` from another realm (a `vm` context, a worker, or
 * Node's `Buffer` and `TextEncoder` under Jest), where `instanceof Uint8Array` is false.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** A view of the same bytes whose class is this realm's `Uint8Array`, which libsodium requires. */
export function localBytes(value: Uint8Array): Uint8Array {
  // Typed as Uint8Array, a foreign one is still not `instanceof` this realm's class.
  const bytes: ArrayBufferView = value;
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
