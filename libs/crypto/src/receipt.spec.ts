import { keyPairFromSeedHex, publicKeyToBase64Url, ready } from './ed25519';
import {
  VECTOR_KEY_ID as KEY_ID,
  VECTOR_PAYLOAD as PAYLOAD,
  VECTOR_PUBLIC_KEY as PUBLIC_KEY,
  VECTOR_RECEIPT as RECEIPT,
  VECTOR_RESULT as RESULT,
  VECTOR_SEED_HEX as SEED,
  vectorKeyDocument as published,
} from '../../../test/support/receipt-fixtures';
import {
  canonicalReceiptBytes,
  contentHash,
  trustedKeysFromPublished,
  verifyReceipt,
  type SignedReceipt,
  type TrustedReceiptKey,
} from './receipt';

let pinned: TrustedReceiptKey[];

beforeAll(async () => {
  await ready();
  pinned = trustedKeysFromPublished(published());
});

describe('the receipt test vector', () => {
  it('is signed by the RFC 8032 TEST 1 key', () => {
    expect(publicKeyToBase64Url(keyPairFromSeedHex(SEED).publicKey)).toBe(PUBLIC_KEY);
  });

  it('hashes the payload and the result as sha256 of their canonical JSON', () => {
    expect(contentHash(RESULT)).toBe(RECEIPT.result_hash);
    expect(contentHash({ model: PAYLOAD.model, prompt: PAYLOAD.prompt, type: PAYLOAD.type })).toBe(
      RECEIPT.payload_hash,
    );
  });

  it('signs the JCS bytes of the receipt without its signature', () => {
    expect(Buffer.from(canonicalReceiptBytes(RECEIPT)).toString('utf8')).toMatch(
      /^\{"client":"alice","completed_at":1769249713,"job_id":"fedcba9876543210fedcba9876543210",.*"version":"1\.0"\}$/,
    );
  });
});

describe('verifyReceipt with published keys', () => {
  it('accepts the vector, also after a JSON round trip', () => {
    expect(verifyReceipt(JSON.parse(JSON.stringify(RECEIPT)) as SignedReceipt, pinned)).toEqual({
      valid: true,
      key_id: KEY_ID,
      attestations: [],
      reasons: [],
    });
  });

  it('rejects a changed price', () => {
    expect(verifyReceipt({ ...RECEIPT, price: '0.01' }, pinned)).toEqual({
      valid: false,
      key_id: KEY_ID,
      attestations: [],
      reasons: ['signature: does not match the receipt (it was altered or signed by another key)'],
    });
  });

  it('does not trust the key for attestations when it is published for signing only', () => {
    const attested = { ...RECEIPT, attestations: [RECEIPT.signature] };
    expect(verifyReceipt(attested, pinned).reasons).toEqual([
      `attestations[0]: key ${KEY_ID} is published for signing, not for attestation`,
    ]);
  });
});

describe('trustedKeysFromPublished', () => {
  it('reads every key with its purpose', () => {
    expect(trustedKeysFromPublished(published({ purpose: 'attestation' }))).toEqual([
      { keyId: KEY_ID, purpose: 'attestation', publicKey: keyPairFromSeedHex(SEED).publicKey },
    ]);
    expect(trustedKeysFromPublished({ keys: [] })).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['no keys array', { items: [] }, 'the key document has no "keys" array'],
    ['null', null, 'the key document has no "keys" array'],
    ['another alg', published({ alg: 'RS256' }), 'keys[0] is not an Ed25519 signing or attestation key'],
    ['another purpose', published({ purpose: 'tls' }), 'keys[0] is not an Ed25519 signing or attestation key'],
    ['a short key', published({ public_key: 'AAAA' }), 'keys[0].public_key is not a 32-byte unpadded base64url key'],
    [
      'a padded key',
      published({ public_key: `${PUBLIC_KEY}=` }),
      'keys[0].public_key is not a 32-byte unpadded base64url key',
    ],
  ])('refuses %s', (_case, document, message) => {
    expect(() => trustedKeysFromPublished(document)).toThrow(new TypeError(message));
  });
});
