import { decodeBase64Url, verify } from '@aitbc/crypto';
import { AppError, ErrorCode, type ProofDto } from '@aitbc/contracts';

/**
 * A miner may sign its result: `proof.hash` is the sha256 (hex) of the result's RFC 8785 canonical
 * JSON, `proof.signature` the Ed25519 signature (base64url) of that hex string's UTF-8 bytes, and
 * `proof.public_key` the miner's key (base64url, 32 bytes). A proof that does not match the result
 * or does not verify is refused with 422, before anything is recorded.
 */
export function assertMinerProof(proof: ProofDto | undefined, resultHash: string): void {
  if (!proof) {
    return;
  }
  if (proof.hash.toLowerCase() !== resultHash) {
    throw invalid('proof.hash', 'proof.hash is not the sha256 of the result’s canonical JSON', 'hashMismatch');
  }
  let signature: Uint8Array;
  let publicKey: Uint8Array;
  try {
    signature = decodeBase64Url(proof.signature);
    publicKey = decodeBase64Url(proof.public_key);
  } catch {
    throw invalid('proof', 'proof.signature and proof.public_key must be base64url', 'encoding');
  }
  if (!verify(new TextEncoder().encode(resultHash), signature, publicKey)) {
    throw invalid('proof.signature', 'proof.signature does not verify with proof.public_key', 'signature');
  }
}

function invalid(field: string, message: string, code: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `invalid proof: ${message}`, [{ field, message, code }]);
}
