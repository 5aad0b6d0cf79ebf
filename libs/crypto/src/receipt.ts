import { createHash } from 'node:crypto';
import { decodeBase64Url } from './base64url';
import { canonicalBytes, withoutNulls } from './canonical-json';
import { publicKeyFromBase64Url, verify } from './ed25519';

/*
 * The receipt format (DESIGN §3) and everything needed to check a receipt: shared by the coordinator,
 * which signs receipts, and by clients such as the CLI, which verify them offline.
 */

/** The one receipt format coordinators issue. */
export const RECEIPT_VERSION = '1.0';
export const RECEIPT_ALG = 'Ed25519';

export type ReceiptKeyPurpose = 'signing' | 'attestation';

/** A signature over the receipt's canonical bytes: the coordinator's own, or an attestation. */
export interface ReceiptSignature {
  alg: typeof RECEIPT_ALG;
  key_id: string;
  /** unpadded base64url of the 64-byte Ed25519 signature */
  sig: string;
}

/** Everything a receipt says, i.e. exactly what is signed. Hashes only, never payloads or results. */
export interface ReceiptBody {
  version: typeof RECEIPT_VERSION;
  /** 32 lowercase hex */
  receipt_id: string;
  job_id: string;
  /** the miner id */
  provider: string;
  /** the client id (a key's name, never the key) */
  client: string;
  status: string;
  /** GPU-seconds, at most 3 decimals */
  units: number;
  unit_type: string;
  /** decimal AITBC per unit, e.g. "0.02" */
  unit_price: string;
  /** decimal AITBC, e.g. "0.25" */
  price: string;
  /** assignment, integer Unix seconds */
  started_at: number;
  /** integer Unix seconds */
  completed_at: number;
  result_hash: string;
  payload_hash: string;
  model?: string | null;
  block_height?: number | null;
  tx_hash?: string | null;
}

export interface SignedReceipt extends ReceiptBody {
  signature: ReceiptSignature;
  attestations?: ReceiptSignature[];
}

/** A public key a verifier pins, with the role it was published for. */
export interface TrustedReceiptKey {
  keyId: string;
  purpose: ReceiptKeyPurpose;
  publicKey: Uint8Array;
}

/** A key as a coordinator publishes it in `/.well-known/aitbc-keys.json` (`{keys: [...]}`). */
export interface PublishedReceiptKey {
  key_id: string;
  alg: typeof RECEIPT_ALG;
  /** unpadded base64url of the 32-byte Ed25519 public key */
  public_key: string;
  purpose: ReceiptKeyPurpose;
  created_at: string;
}

export interface ReceiptVerification {
  /** true only if the signature and every attestation verify against pinned keys of their purpose */
  valid: boolean;
  /** the key the receipt claims to be signed by (null if it names none) */
  key_id: string | null;
  attestations: { key_id: string | null; valid: boolean }[];
  /** why it is not valid; empty when valid */
  reasons: string[];
}

/**
 * The bytes that are signed: RFC 8785 canonical JSON of the receipt without `signature` and
 * `attestations`, null members dropped (so an absent and a null `model` sign the same).
 *
 * @throws TypeError if the receipt holds anything that is not JSON data.
 */
export function canonicalReceiptBytes(receipt: ReceiptBody | SignedReceipt): Uint8Array {
  const { signature: _signature, attestations: _attestations, ...body } = receipt as Partial<SignedReceipt>;
  return canonicalBytes(withoutNulls(body));
}

/** sha256 (lowercase hex) of a value's canonical JSON: how a receipt's payload and result hashes are taken. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalBytes(value)).digest('hex');
}

/**
 * The pinned keys of a published key document (the body of `/.well-known/aitbc-keys.json`).
 *
 * @throws TypeError naming the first entry that is not an Ed25519 key with a key_id, a purpose of
 *   `signing` or `attestation` and a 32-byte base64url public key.
 */
export function trustedKeysFromPublished(document: unknown): TrustedReceiptKey[] {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new TypeError('the key document has no "keys" array');
  }
  return keys.map((entry: unknown, index) => {
    const { key_id: keyId, alg, purpose, public_key: publicKey } = (entry ?? {}) as Record<string, unknown>;
    if (
      typeof keyId !== 'string' ||
      alg !== RECEIPT_ALG ||
      (purpose !== 'signing' && purpose !== 'attestation') ||
      typeof publicKey !== 'string'
    ) {
      throw new TypeError(`keys[${index}] is not an ${RECEIPT_ALG} signing or attestation key`);
    }
    try {
      return { keyId, purpose, publicKey: publicKeyFromBase64Url(publicKey) };
    } catch {
      throw new TypeError(`keys[${index}].public_key is not a 32-byte unpadded base64url key`);
    }
  });
}

/**
 * Checks a receipt against pinned keys only. Whatever key material the receipt itself carries is
 * ignored: a receipt is trusted because a pinned key of the right purpose signed it, never because
 * it names a key. Never throws; every problem becomes a reason. Await `ready()` first.
 */
export function verifyReceipt(receipt: SignedReceipt, trustedKeys: readonly TrustedReceiptKey[]): ReceiptVerification {
  const reasons: string[] = [];
  // typed as a receipt, but it came from outside: its members are read as unknown
  const untrusted = receipt as unknown as Record<string, unknown>;
  const signature = asSignature(untrusted.signature);
  const attestationList: unknown[] = Array.isArray(untrusted.attestations) ? untrusted.attestations : [];
  if (untrusted.attestations != null && !Array.isArray(untrusted.attestations)) {
    reasons.push('attestations must be an array');
  }
  if (untrusted.version !== RECEIPT_VERSION) {
    reasons.push(`unsupported receipt version ${JSON.stringify(untrusted.version)} (expected "${RECEIPT_VERSION}")`);
  }
  let bytes: Uint8Array | null = null;
  try {
    bytes = canonicalReceiptBytes(receipt);
  } catch (error) {
    reasons.push(`the receipt is not JSON data: ${(error as Error).message}`);
  }
  const signatureProblem = checkSignature('signature', signature, 'signing', bytes, trustedKeys);
  if (signatureProblem) {
    reasons.push(signatureProblem);
  }
  const attestations = attestationList.map((item, index) => {
    const attestation = asSignature(item);
    const problem = checkSignature(`attestations[${index}]`, attestation, 'attestation', bytes, trustedKeys);
    if (problem) {
      reasons.push(problem);
    }
    return { key_id: attestation?.key_id ?? null, valid: problem === null };
  });
  return { valid: reasons.length === 0, key_id: signature?.key_id ?? null, attestations, reasons };
}

/** The signature's fields if it has the right types (a non-string key_id or sig counts as absent). */
function asSignature(value: unknown): { alg: unknown; key_id: string | null; sig: string | null } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return null;
  }
  const { alg, key_id: keyId, sig } = value as Record<string, unknown>;
  return { alg, key_id: typeof keyId === 'string' ? keyId : null, sig: typeof sig === 'string' ? sig : null };
}

function checkSignature(
  name: string,
  signature: ReturnType<typeof asSignature>,
  purpose: ReceiptKeyPurpose,
  bytes: Uint8Array | null,
  trustedKeys: readonly TrustedReceiptKey[],
): string | null {
  if (signature === null) {
    return `${name} is missing`;
  }
  if (signature.alg !== RECEIPT_ALG) {
    return `${name}: unsupported alg ${JSON.stringify(signature.alg)} (expected "${RECEIPT_ALG}")`;
  }
  if (signature.key_id === null || signature.sig === null) {
    return `${name}: key_id and sig must be strings`;
  }
  const key = trustedKeys.find((candidate) => candidate.keyId === signature.key_id);
  if (!key) {
    return `${name}: key ${signature.key_id} is not a trusted key`;
  }
  if (key.purpose !== purpose) {
    return `${name}: key ${signature.key_id} is published for ${key.purpose}, not for ${purpose}`;
  }
  let sig: Uint8Array;
  try {
    sig = decodeBase64Url(signature.sig);
  } catch {
    return `${name}: sig is not unpadded base64url`;
  }
  if (bytes === null) {
    return `${name}: nothing to verify`;
  }
  return verify(bytes, sig, key.publicKey)
    ? null
    : `${name}: does not match the receipt (it was altered or signed by another key)`;
}
