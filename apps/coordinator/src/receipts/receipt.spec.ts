import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalize,
  encodeBase64Url,
  keyId,
  keyPairFromSeedHex,
  publicKeyToBase64Url,
  ready,
  sign,
  type Ed25519KeyPair,
} from '@aitbc/crypto';
import {
  buildReceiptBody,
  canonicalReceiptBytes,
  contentHash,
  priceReceipt,
  receiptIdFor,
  signReceipt,
  verifyReceipt,
  type ReceiptBody,
  type ReceiptSigner,
  type SignedReceipt,
  type TrustedReceiptKey,
} from './receipt';

// RFC 8032 §7.1 test 1's seed, and two more fixed ones: deterministic keys and signatures
const SIGNING_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const ATTESTATION_SEED = '11'.repeat(32);
const FOREIGN_SEED = '22'.repeat(32);

const RECEIPT_ID = '0123456789abcdef0123456789abcdef';
const JOB_ID = 'fedcba9876543210fedcba9876543210';
const RESULT_HASH = 'ab'.repeat(32);
const PAYLOAD_HASH = 'cd'.repeat(32);

let signingPair: Ed25519KeyPair;
let attestationPair: Ed25519KeyPair;
let foreignPair: Ed25519KeyPair;
let signing: ReceiptSigner;
let attestation: ReceiptSigner;
let foreign: ReceiptSigner;
let pinned: TrustedReceiptKey[];

const signer = (pair: Ed25519KeyPair): ReceiptSigner => ({ keyId: keyId(pair.publicKey), secretKey: pair.secretKey });
const trusted = (pair: Ed25519KeyPair, purpose: TrustedReceiptKey['purpose']): TrustedReceiptKey => ({
  keyId: keyId(pair.publicKey),
  purpose,
  publicKey: pair.publicKey,
});

beforeAll(async () => {
  await ready();
  signingPair = keyPairFromSeedHex(SIGNING_SEED);
  attestationPair = keyPairFromSeedHex(ATTESTATION_SEED);
  foreignPair = keyPairFromSeedHex(FOREIGN_SEED);
  signing = signer(signingPair);
  attestation = signer(attestationPair);
  foreign = signer(foreignPair);
  pinned = [trusted(signingPair, 'signing'), trusted(attestationPair, 'attestation')];
});

/** The seed's example: 12.5 GPU-seconds at 0.02 AITBC/s, within a 13 s lease. */
function seedBody(overrides: Partial<ReceiptBody> = {}): ReceiptBody {
  const assignedAt = new Date('2026-01-24T10:15:00.000Z');
  return {
    ...buildReceiptBody({
      receiptId: RECEIPT_ID,
      jobId: JOB_ID,
      clientId: 'alice',
      minerId: 'rig-1/gpu-a',
      status: 'completed',
      price: priceReceipt({ measuredMs: 12_500, leaseMs: 13_000, unitPriceMicro: 20_000, escrowMicro: 1_000_000 }),
      unitPriceMicro: 20_000,
      assignedAt,
      completedAt: new Date(assignedAt.getTime() + 13_000),
      payloadHash: PAYLOAD_HASH,
      resultHash: RESULT_HASH,
      model: 'llama3.2:latest',
    }),
    ...overrides,
  };
}

describe('buildReceiptBody and signReceipt', () => {
  it("prices the seed's example exactly and signs exactly the DESIGN fields", () => {
    const receipt = signReceipt(seedBody(), signing);
    expect(receipt).toEqual({
      version: '1.0',
      receipt_id: RECEIPT_ID,
      job_id: JOB_ID,
      provider: 'rig-1/gpu-a',
      client: 'alice',
      status: 'completed',
      units: 12.5,
      unit_type: 'gpu_seconds',
      unit_price: '0.02',
      price: '0.25',
      started_at: 1769249700,
      completed_at: 1769249713,
      result_hash: RESULT_HASH,
      payload_hash: PAYLOAD_HASH,
      model: 'llama3.2:latest',
      signature: { alg: 'Ed25519', key_id: signing.keyId, sig: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) },
    });
    expect(receipt).not.toHaveProperty('attestations');
  });

  it('is deterministic, and signs the canonical bytes', () => {
    const receipt = signReceipt(seedBody(), signing);
    expect(signReceipt(seedBody(), signing)).toEqual(receipt);
    expect(receipt.signature.sig).toBe(encodeBase64Url(sign(canonicalReceiptBytes(seedBody()), signing.secretKey)));
  });

  it('drops null members from what it returns, so the stored receipt is what was signed', () => {
    const receipt = signReceipt(seedBody({ model: null, block_height: null, tx_hash: null }), signing);
    expect(receipt).not.toHaveProperty('model');
    expect(receipt).not.toHaveProperty('block_height');
    expect(verifyReceipt(receipt, pinned).valid).toBe(true);
  });

  it('adds one attestation by the attestation key over the same bytes', () => {
    const receipt = signReceipt(seedBody(), signing, attestation);
    expect(receipt.attestations).toEqual([
      {
        alg: 'Ed25519',
        key_id: attestation.keyId,
        sig: encodeBase64Url(sign(canonicalReceiptBytes(seedBody()), attestation.secretKey)),
      },
    ]);
  });
});

describe('canonicalReceiptBytes', () => {
  it('is the JCS of the receipt without signature and attestations', () => {
    const receipt = signReceipt(seedBody(), signing, attestation);
    expect(Buffer.from(canonicalReceiptBytes(receipt)).toString('utf8')).toBe(
      `{"client":"alice","completed_at":1769249713,"job_id":"${JOB_ID}","model":"llama3.2:latest",` +
        `"payload_hash":"${PAYLOAD_HASH}","price":"0.25","provider":"rig-1/gpu-a","receipt_id":"${RECEIPT_ID}",` +
        `"result_hash":"${RESULT_HASH}","started_at":1769249700,"status":"completed","unit_price":"0.02",` +
        `"unit_type":"gpu_seconds","units":12.5,"version":"1.0"}`,
    );
    expect(canonicalReceiptBytes(receipt)).toEqual(canonicalReceiptBytes(seedBody()));
  });

  it('drops nulls: a null optional field signs like an absent one', () => {
    const { model: _model, ...withoutModel } = seedBody();
    expect(canonicalReceiptBytes(seedBody({ model: null, block_height: null, tx_hash: null }))).toEqual(
      canonicalReceiptBytes(withoutModel),
    );
  });

  it('does not depend on member order', () => {
    const body = seedBody();
    const reversed = Object.fromEntries(Object.entries(body).reverse()) as unknown as ReceiptBody;
    expect(canonicalReceiptBytes(reversed)).toEqual(canonicalReceiptBytes(body));
  });
});

describe('verifyReceipt', () => {
  it('accepts a receipt it signed (round trip through JSON)', () => {
    const receipt = JSON.parse(JSON.stringify(signReceipt(seedBody(), signing, attestation))) as SignedReceipt;
    expect(verifyReceipt(receipt, pinned)).toEqual({
      valid: true,
      key_id: signing.keyId,
      attestations: [{ key_id: attestation.keyId, valid: true }],
      reasons: [],
    });
  });

  const tampered = `signature: does not match the receipt (it was altered or signed by another key)`;

  it.each<[string, Partial<ReceiptBody>]>([
    ['units', { units: 125 }],
    ['price', { price: '2.5' }],
    ['unit_price', { unit_price: '0.2' }],
    ['result_hash', { result_hash: 'ef'.repeat(32) }],
    ['payload_hash', { payload_hash: 'ef'.repeat(32) }],
    ['job_id', { job_id: '00000000000000000000000000000000' }],
    ['receipt_id', { receipt_id: 'ffffffffffffffffffffffffffffffff' }],
    ['provider', { provider: 'rig-2' }],
    ['client', { client: 'bob' }],
    ['status', { status: 'failed' }],
    ['started_at', { started_at: 1769249701 }],
    ['completed_at', { completed_at: 1769249799 }],
    ['unit_type', { unit_type: 'tokens' }],
    ['model', { model: 'llama3.1:70b' }],
    ['block_height (added)', { block_height: 7 }],
  ])('rejects a receipt whose %s was changed', (_field, change) => {
    const receipt = { ...signReceipt(seedBody(), signing, attestation), ...change };
    expect(verifyReceipt(receipt, pinned)).toEqual({
      valid: false,
      key_id: signing.keyId,
      attestations: [{ key_id: attestation.keyId, valid: false }],
      reasons: [tampered, 'attestations[0]: does not match the receipt (it was altered or signed by another key)'],
    });
  });

  it('rejects a receipt with a member removed or an unknown member added', () => {
    const { model: _model, ...removed } = signReceipt(seedBody(), signing);
    expect(verifyReceipt(removed, pinned).reasons).toEqual([tampered]);
    const added = { ...signReceipt(seedBody(), signing), note: 'paid' } as SignedReceipt;
    expect(verifyReceipt(added, pinned).reasons).toEqual([tampered]);
  });

  it('rejects a changed version, naming the version', () => {
    const receipt = { ...signReceipt(seedBody(), signing), version: '2.0' } as unknown as SignedReceipt;
    expect(verifyReceipt(receipt, pinned).reasons).toEqual([
      'unsupported receipt version "2.0" (expected "1.0")',
      tampered,
    ]);
  });

  it('rejects a receipt signed by an unknown key, even when it embeds that public key', () => {
    const receipt = signReceipt(seedBody(), foreign);
    const embedding = {
      ...receipt,
      public_key: publicKeyToBase64Url(foreignPair.publicKey),
      signature: { ...receipt.signature, public_key: publicKeyToBase64Url(foreignPair.publicKey) },
    } as SignedReceipt;
    for (const candidate of [receipt, embedding]) {
      expect(verifyReceipt(candidate, pinned)).toEqual({
        valid: false,
        key_id: foreign.keyId,
        attestations: [],
        reasons: [`signature: key ${foreign.keyId} is not a trusted key`],
      });
    }
  });

  it("rejects a forger's signature under a pinned key's id", () => {
    const forged = signReceipt(seedBody(), { keyId: signing.keyId, secretKey: foreign.secretKey });
    expect(verifyReceipt(forged, pinned).reasons).toEqual([tampered]);
  });

  it('accepts an attestation only with its own pinned attestation key', () => {
    const receipt = signReceipt(seedBody(), signing, attestation);
    const unpinned = verifyReceipt(receipt, [trusted(signingPair, 'signing')]);
    expect(unpinned).toEqual({
      valid: false,
      key_id: signing.keyId,
      attestations: [{ key_id: attestation.keyId, valid: false }],
      reasons: [`attestations[0]: key ${attestation.keyId} is not a trusted key`],
    });
    // another key's signature under the attestation key's id
    const swapped = {
      ...receipt,
      attestations: [{ ...receipt.attestations![0], sig: signReceipt(seedBody(), foreign).signature.sig }],
    };
    expect(verifyReceipt(swapped, pinned).attestations).toEqual([{ key_id: attestation.keyId, valid: false }]);
    // the attestation key pinned for signing does not attest
    const misPinned = verifyReceipt(receipt, [trusted(signingPair, 'signing'), trusted(attestationPair, 'signing')]);
    expect(misPinned.reasons).toEqual([
      `attestations[0]: key ${attestation.keyId} is published for signing, not for attestation`,
    ]);
  });

  it('does not let the signing key stand in as an attestation, nor an attestation key as the signer', () => {
    const bySigningKey = signReceipt(seedBody(), signing, signing);
    expect(verifyReceipt(bySigningKey, pinned).reasons).toEqual([
      `attestations[0]: key ${signing.keyId} is published for signing, not for attestation`,
    ]);
    const byAttestationKey = signReceipt(seedBody(), attestation);
    expect(verifyReceipt(byAttestationKey, pinned).reasons).toEqual([
      `signature: key ${attestation.keyId} is published for attestation, not for signing`,
    ]);
  });

  it.each<[string, unknown, string]>([
    ['a missing signature', undefined, 'signature is missing'],
    ['another alg', { alg: 'RS256', key_id: 'x', sig: 'x' }, 'signature: unsupported alg "RS256" (expected "Ed25519")'],
    ['a non-string sig', { alg: 'Ed25519', key_id: 'x', sig: 5 }, 'signature: key_id and sig must be strings'],
  ])('explains %s', (_case, signature, reason) => {
    const receipt = { ...seedBody(), signature } as SignedReceipt;
    expect(verifyReceipt(receipt, pinned)).toMatchObject({ valid: false, reasons: [reason] });
  });

  it('explains attestations that are not an array', () => {
    const receipt = { ...signReceipt(seedBody(), signing), attestations: {} } as unknown as SignedReceipt;
    expect(verifyReceipt(receipt, pinned)).toEqual({
      valid: false,
      key_id: signing.keyId,
      attestations: [],
      reasons: ['attestations must be an array'],
    });
  });

  it('explains a sig that is not base64url, and a receipt that is not JSON data', () => {
    const receipt = signReceipt(seedBody(), signing);
    expect(verifyReceipt({ ...receipt, signature: { ...receipt.signature, sig: 'a+b=' } }, pinned).reasons).toEqual([
      'signature: sig is not unpadded base64url',
    ]);
    expect(verifyReceipt({ ...receipt, units: Number.NaN }, pinned).reasons).toEqual([
      'the receipt is not JSON data: canonicalize: NaN is not a JSON number at $.units',
      'signature: nothing to verify',
    ]);
  });
});

describe('priceReceipt', () => {
  it("bills the seed's 12.5 s at 0.02 AITBC/s as exactly 0.25 AITBC", () => {
    expect(priceReceipt({ measuredMs: 12_500, leaseMs: 13_000, unitPriceMicro: 20_000, escrowMicro: null })).toEqual({
      unitsMs: 12_500,
      units: 12.5,
      priceMicro: 250_000,
      capped: false,
    });
  });

  it("never bills more GPU time than the coordinator's own lease", () => {
    expect(priceReceipt({ measuredMs: 60_000, leaseMs: 12_500, unitPriceMicro: 20_000, escrowMicro: null })).toEqual({
      unitsMs: 12_500,
      units: 12.5,
      priceMicro: 250_000,
      capped: false,
    });
  });

  it('bills the lease time when the miner measured nothing', () => {
    expect(priceReceipt({ measuredMs: null, leaseMs: 2_001, unitPriceMicro: 20_000, escrowMicro: null })).toMatchObject(
      {
        unitsMs: 2_001,
        units: 2.001,
        priceMicro: 40_020,
      },
    );
  });

  it('caps the price by the escrow, and only when usage exceeds it', () => {
    const price = (escrowMicro: number | null) =>
      priceReceipt({ measuredMs: 12_500, leaseMs: 13_000, unitPriceMicro: 20_000, escrowMicro });
    expect(price(100_000)).toEqual({ unitsMs: 12_500, units: 12.5, priceMicro: 100_000, capped: true });
    expect(price(250_000)).toMatchObject({ priceMicro: 250_000, capped: false });
    expect(price(0)).toMatchObject({ priceMicro: 0, capped: true });
  });

  it('rounds half up once, in integer micro-AITBC, and floors fractional milliseconds', () => {
    const price = (measuredMs: number, unitPriceMicro: number) =>
      priceReceipt({ measuredMs, leaseMs: 10_000, unitPriceMicro, escrowMicro: null });
    expect(price(1, 500).priceMicro).toBe(1);
    expect(price(1, 499).priceMicro).toBe(0);
    expect(price(1234.9, 20_000)).toMatchObject({ unitsMs: 1234, units: 1.234, priceMicro: 24_680 });
  });

  it('keeps the exact price far past 2^53 micro-ms, and refuses a price that is not exact', () => {
    const day = 86_400_000;
    expect(priceReceipt({ measuredMs: day, leaseMs: day, unitPriceMicro: 10 ** 12, escrowMicro: 5 })).toMatchObject({
      priceMicro: 5,
      capped: true,
    });
    expect(() => priceReceipt({ measuredMs: day, leaseMs: day, unitPriceMicro: 10 ** 12, escrowMicro: null })).toThrow(
      RangeError,
    );
  });

  it.each([
    { measuredMs: -1, leaseMs: 1, unitPriceMicro: 1, escrowMicro: null },
    { measuredMs: Number.NaN, leaseMs: 1, unitPriceMicro: 1, escrowMicro: null },
    { measuredMs: 1, leaseMs: Number.POSITIVE_INFINITY, unitPriceMicro: 1, escrowMicro: null },
    { measuredMs: 1, leaseMs: 1, unitPriceMicro: 0.5, escrowMicro: null },
    { measuredMs: 1, leaseMs: 1, unitPriceMicro: 1, escrowMicro: -1 },
  ])('rejects %j', (input) => {
    expect(() => priceReceipt(input)).toThrow(RangeError);
  });

  it('writes units as a JSON number with at most 3 decimals, for any whole number of ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (ms) => {
        const { units } = priceReceipt({ measuredMs: ms, leaseMs: ms, unitPriceMicro: 0, escrowMicro: null });
        expect(canonicalize(units)).toMatch(/^\d+(\.\d{1,3})?$/);
        expect(Math.round(units * 1000)).toBe(ms);
      }),
    );
  });
});

describe('receiptIdFor and contentHash', () => {
  it('derives one 32-hex receipt id per job attempt', () => {
    expect(receiptIdFor(JOB_ID, 1)).toMatch(/^[0-9a-f]{32}$/);
    expect(receiptIdFor(JOB_ID, 1)).toBe(receiptIdFor(JOB_ID, 1));
    expect(receiptIdFor(JOB_ID, 2)).not.toBe(receiptIdFor(JOB_ID, 1));
  });

  it('hashes the canonical JSON, so member order does not matter', () => {
    expect(contentHash({ b: 1, a: 'x' })).toBe(createHash('sha256').update('{"a":"x","b":1}').digest('hex'));
    expect(contentHash({ a: 'x', b: 1 })).toBe(contentHash({ b: 1, a: 'x' }));
  });
});
