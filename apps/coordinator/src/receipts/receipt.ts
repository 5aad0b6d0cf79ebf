import { createHash } from 'node:crypto';
import { fromMicro } from '@aitbc/contracts';
import {
  canonicalReceiptBytes,
  encodeBase64Url,
  RECEIPT_ALG,
  RECEIPT_VERSION,
  sign,
  withoutNulls,
  type ReceiptBody,
  type ReceiptSignature,
  type SignedReceipt,
} from '@aitbc/crypto';

// The receipt format and its verification are shared with clients (the CLI verifies offline).
export {
  canonicalReceiptBytes,
  contentHash,
  RECEIPT_ALG,
  RECEIPT_VERSION,
  verifyReceipt,
  type ReceiptBody,
  type ReceiptKeyPurpose,
  type ReceiptSignature,
  type ReceiptVerification,
  type SignedReceipt,
  type TrustedReceiptKey,
} from '@aitbc/crypto';

/** Units are always GPU time in seconds: the miner's measurement, capped by the coordinator's lease. */
export const RECEIPT_UNIT_TYPE = 'gpu_seconds';

/** A private key able to sign receipts. */
export interface ReceiptSigner {
  keyId: string;
  /** libsodium's 64-byte secret key */
  secretKey: Uint8Array;
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
