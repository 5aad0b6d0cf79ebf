import { createHash } from 'node:crypto';
import { fromMicro } from '@aitbc/contracts';
import { canonicalBytes, decodeBase64Url, encodeBase64Url, sign, verify, withoutNulls } from '@aitbc/crypto';

/** The one receipt format this coordinator issues (DESIGN §3). */
export const RECEIPT_VERSION = '1.0';
export const RECEIPT_ALG = 'Ed25519';
/** Units are always GPU time in seconds: the miner's measurement, capped by the coordinator's lease. */
export const RECEIPT_UNIT_TYPE = 'gpu_seconds';

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

/** A private key able to sign receipts. */
export interface ReceiptSigner {
  keyId: string;
  /** libsodium's 64-byte secret key */
  secretKey: Uint8Array;
}

/** A public key a verifier pins, with the role it was published for. */
export interface TrustedReceiptKey {
  keyId: string;
  purpose: ReceiptKeyPurpose;
  publicKey: Uint8Array;
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

/**
 * Signs a receipt body with the coordinator key and, when given, the attestation key. The result is
 * the body without null members plus the signatures: nothing may be added to it afterwards.
 */
export function signReceipt(
  body: ReceiptBody,
  signingKey: ReceiptSigner,
  attestationKey?: ReceiptSigner | null,
): SignedReceipt {
  const { signature: _signature, attestations: _attestations, ...fields } = body as Partial<SignedReceipt>;
  const unsigned = withoutNulls(fields) as ReceiptBody;
  const bytes = canonicalReceiptBytes(unsigned);
  const signed: SignedReceipt = { ...unsigned, signature: signatureOf(bytes, signingKey) };
  if (attestationKey) {
    signed.attestations = [signatureOf(bytes, attestationKey)];
  }
  return signed;
}

function signatureOf(bytes: Uint8Array, key: ReceiptSigner): ReceiptSignature {
  return { alg: RECEIPT_ALG, key_id: key.keyId, sig: encodeBase64Url(sign(bytes, key.secretKey)) };
}

/**
 * Checks a receipt against pinned keys only. Whatever key material the receipt itself carries is
 * ignored: a receipt is trusted because a pinned key of the right purpose signed it, never because
 * it names a key. Never throws; every problem becomes a reason.
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

export interface PriceInput {
  /** GPU time the miner measured, in ms; null when it reported none (then the lease time is used) */
  measuredMs: number | null;
  /** the coordinator's own time from assignment to completion, in ms */
  leaseMs: number;
  /** the miner's advertised price per GPU-second, micro-AITBC */
  unitPriceMicro: number;
  /** the job's escrow, micro-AITBC; null when the job holds none (no cap) */
  escrowMicro: number | null;
}

export interface Price {
  /** billed GPU time in whole ms */
  unitsMs: number;
  /** billed GPU time in seconds (at most 3 decimals), the receipt's `units` */
  units: number;
  priceMicro: number;
  /** true when the escrow, not the usage, set the price */
  capped: boolean;
}

/**
 * Price = units × unit_price, where units is the miner's measured GPU time but never more than the
 * coordinator's lease time, and the price never exceeds the escrow. Integer micro-AITBC throughout,
 * rounded half up once: 12.5 s at 0.02 AITBC/s is exactly 0.25 AITBC.
 *
 * @throws RangeError on a negative or non-finite time, or a price or escrow that is not a safe
 *   non-negative integer.
 */
export function priceReceipt({ measuredMs, leaseMs, unitPriceMicro, escrowMicro }: PriceInput): Price {
  assertNonNegative('leaseMs', leaseMs);
  if (measuredMs !== null) {
    assertNonNegative('measuredMs', measuredMs);
  }
  assertMicro('unitPriceMicro', unitPriceMicro);
  if (escrowMicro !== null) {
    assertMicro('escrowMicro', escrowMicro);
  }
  const lease = Math.floor(leaseMs);
  // whole ms, rounded down: a miner is never paid for a fraction of a millisecond it did not report
  const unitsMs = measuredMs === null ? lease : Math.min(Math.floor(measuredMs), lease);
  // BigInt: ms × micro-AITBC/s can pass 2^53 long before the price itself does
  const usage = (BigInt(unitsMs) * BigInt(unitPriceMicro) + 500n) / 1000n;
  const capped = escrowMicro !== null && usage > BigInt(escrowMicro);
  const priceMicro = capped ? escrowMicro : Number(usage);
  if (!Number.isSafeInteger(priceMicro)) {
    throw new RangeError(`priceReceipt: the price of ${unitsMs} ms is beyond the largest exact amount`);
  }
  return { unitsMs, units: unitsMs / 1000, priceMicro, capped };
}

function assertNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`priceReceipt: ${name} must be a finite number ≥ 0, got ${value}`);
  }
}

function assertMicro(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`priceReceipt: ${name} must be a safe integer ≥ 0, got ${value}`);
  }
}

/** What the coordinator knows about a completed attempt when it issues the receipt. */
export interface ReceiptFacts {
  receiptId: string;
  jobId: string;
  clientId: string;
  minerId: string;
  status: string;
  price: Price;
  unitPriceMicro: number;
  assignedAt: Date;
  completedAt: Date;
  payloadHash: string;
  resultHash: string;
  model?: string | null;
  /** the ledger transaction that settled it, when the job was paid */
  txHash?: string | null;
}

/** The receipt body for a priced completion, ready to sign. */
export function buildReceiptBody(facts: ReceiptFacts): ReceiptBody {
  const body: ReceiptBody = {
    version: RECEIPT_VERSION,
    receipt_id: facts.receiptId,
    job_id: facts.jobId,
    provider: facts.minerId,
    client: facts.clientId,
    status: facts.status,
    units: facts.price.units,
    unit_type: RECEIPT_UNIT_TYPE,
    unit_price: fromMicro(facts.unitPriceMicro),
    price: fromMicro(facts.price.priceMicro),
    started_at: unixSeconds(facts.assignedAt),
    completed_at: unixSeconds(facts.completedAt),
    result_hash: facts.resultHash,
    payload_hash: facts.payloadHash,
  };
  if (facts.model != null) {
    body.model = facts.model;
  }
  if (facts.txHash != null) {
    body.tx_hash = facts.txHash;
  }
  return body;
}

function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/**
 * The receipt id of a job's attempt: derived, not random, so a retried or concurrent issue of the
 * same completion names the same receipt. Receipt ids are public labels, not secrets.
 */
export function receiptIdFor(jobId: string, attempt: number): string {
  return createHash('sha256').update(`aitbc-receipt:${jobId}:${attempt}`).digest('hex').slice(0, 32);
}

/** sha256 (lowercase hex) of a value's canonical JSON: how payload and result hashes are taken. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalBytes(value)).digest('hex');
}
