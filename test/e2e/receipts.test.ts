import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { keyId, keyPairFromSeedHex, publicKeyToBase64Url, ready, type Ed25519KeyPair } from '@aitbc/crypto';
import { withTransaction } from '@aitbc/event-store';
import { PG_POOL } from '../../apps/coordinator/src/database/database.module';
import { contentHash, signReceipt, type SignedReceipt } from '../../apps/coordinator/src/receipts/receipt';
import { IssueReceiptInput, ReceiptIssuer } from '../../apps/coordinator/src/receipts/receipt-issuer';
import { Api, BOB_KEY } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { createTestPool, resetReceiptKeys } from '../support/test-database';

const SIGNING_SEED = '3c'.repeat(32);
const ATTESTATION_SEED = 'c3'.repeat(32);
/** a key this deployment signed with before a rotation */
const RETIRED_SEED = '7e'.repeat(32);
const FOREIGN_SEED = 'e7'.repeat(32);

const envelope = (status: number, code: string, detail: unknown = expect.any(String), details: unknown = []) => ({
  detail,
  error: { code, status, details },
  request_id: expect.any(String),
});
const notAvailable = envelope(404, 'RECEIPT_NOT_AVAILABLE', 'receipt not available');

describe('receipts API (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pair: Record<'signing' | 'attestation' | 'retired' | 'foreign', Ed25519KeyPair>;

  beforeAll(async () => {
    await ready();
    pair = {
      signing: keyPairFromSeedHex(SIGNING_SEED),
      attestation: keyPairFromSeedHex(ATTESTATION_SEED),
      retired: keyPairFromSeedHex(RETIRED_SEED),
      foreign: keyPairFromSeedHex(FOREIGN_SEED),
    };
    // a deployment that rotated its signing key: only the old public key is on record
    const setup = createTestPool(1);
    try {
      await resetReceiptKeys(setup);
      await setup.query(
        `INSERT INTO receipt_keys (key_id, purpose, source, public_key, secret_seed_hex, created_at)
         VALUES ($1, 'signing', 'configured', $2, NULL, '2026-01-01T00:00:00Z')`,
        [keyId(pair.retired.publicKey), publicKeyToBase64Url(pair.retired.publicKey)],
      );
    } finally {
      await setup.end();
    }
    coordinator = await bootCoordinator(
      testEnv({
        CLIENT_API_KEYS: `alice:${TEST_KEYS.client},bob:${BOB_KEY}`,
        RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED,
        RECEIPT_ATTESTATION_KEY_HEX: ATTESTATION_SEED,
      }),
    );
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  const signer = (key: Ed25519KeyPair) => ({ keyId: keyId(key.publicKey), secretKey: key.secretKey });

  /** A receipt for a job alice submitted through the API, issued as job completion will issue it. */
  async function issueFor(jobId: string, attempt = 1): Promise<SignedReceipt> {
    const completedAt = new Date();
    const input: IssueReceiptInput = {
      jobId,
      attempt,
      clientId: 'alice',
      minerId: 'rig-1/gpu-a',
      assignedAt: new Date(completedAt.getTime() - 13_000),
      completedAt,
      measuredMs: 12_500,
      unitPriceMicro: 20_000,
      escrowMicro: null,
      payloadHash: contentHash({ prompt: 'hi' }),
      resultHash: contentHash({ response: 'done' }),
    };
    const pool = coordinator.app.get<Pool>(PG_POOL);
    return withTransaction(pool, (tx) => coordinator.app.get(ReceiptIssuer).issue(tx, input));
  }

  async function aliceReceipt(): Promise<SignedReceipt> {
    return issueFor(await api.submitOk({ payload: { prompt: 'hi' } }));
  }

  const verify = (body: unknown) => api.http.post('/v1/receipts/verify').send(body as object);

  describe('GET /.well-known/aitbc-keys.json', () => {
    it('publishes every signing and attestation key, retired ones included, and no secret', async () => {
      const res = await api.http.get('/.well-known/aitbc-keys.json').expect(200);
      const published = (key: Ed25519KeyPair, purpose: string) => ({
        key_id: keyId(key.publicKey),
        alg: 'Ed25519',
        public_key: publicKeyToBase64Url(key.publicKey),
        purpose,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const byKeyId = (a: { key_id: string }, b: { key_id: string }) => a.key_id.localeCompare(b.key_id);
      expect({ keys: [...res.body.keys].sort(byKeyId) }).toEqual({
        keys: [
          { ...published(pair.retired, 'signing'), created_at: '2026-01-01T00:00:00.000Z' },
          published(pair.signing, 'signing'),
          published(pair.attestation, 'attestation'),
        ].sort(byKeyId),
      });
      // oldest first
      expect(res.body.keys[0].key_id).toBe(keyId(pair.retired.publicKey));
      expect(res.text).not.toContain(SIGNING_SEED);
      expect(res.text).not.toContain(ATTESTATION_SEED);
      await api.http.get('/v1/.well-known/aitbc-keys.json').expect(404);
    });
  });

  describe('POST /v1/receipts/verify (public)', () => {
    it('accepts a receipt the coordinator issued, with its attestation', async () => {
      const receipt = await aliceReceipt();
      const res = await verify(receipt).expect(200);
      expect(res.body).toEqual({
        valid: true,
        key_id: keyId(pair.signing.publicKey),
        attestations: [{ key_id: keyId(pair.attestation.publicKey), valid: true }],
        reasons: [],
      });
    });

    it('reports a tampered receipt as invalid, with reasons', async () => {
      const receipt = await aliceReceipt();
      const res = await verify({ ...receipt, price: '0.01' }).expect(200);
      expect(res.body).toEqual({
        valid: false,
        key_id: keyId(pair.signing.publicKey),
        attestations: [{ key_id: keyId(pair.attestation.publicKey), valid: false }],
        reasons: [
          'signature: does not match the receipt (it was altered or signed by another key)',
          'attestations[0]: does not match the receipt (it was altered or signed by another key)',
        ],
      });
    });

    it('rejects an unknown key even when the receipt carries it, and accepts a retired pinned key', async () => {
      const { signature: _signature, attestations: _attestations, ...body } = await aliceReceipt();
      const forged = signReceipt(body, signer(pair.foreign));
      const res = await verify({
        ...forged,
        signature: { ...forged.signature, public_key: publicKeyToBase64Url(pair.foreign.publicKey) },
      }).expect(200);
      expect(res.body).toEqual({
        valid: false,
        key_id: keyId(pair.foreign.publicKey),
        attestations: [],
        reasons: [`signature: key ${keyId(pair.foreign.publicKey)} is not a trusted key`],
      });
      const old = signReceipt(body, signer(pair.retired));
      expect((await verify(old).expect(200)).body).toEqual({
        valid: true,
        key_id: keyId(pair.retired.publicKey),
        attestations: [],
        reasons: [],
      });
    });

    it('answers 422 for a body that is not a receipt', async () => {
      const receipt = await aliceReceipt();
      const { signature: _signature, ...unsigned } = receipt;
      const cases: [unknown, unknown][] = [
        [[receipt], [{ field: '', message: 'the body must be a receipt object', code: 'isObject' }]],
        [unsigned, expect.arrayContaining([expect.objectContaining({ field: 'signature', code: 'isObject' })])],
        [{ ...receipt, units: '12.5' }, [expect.objectContaining({ field: 'units', code: 'isNumber' })]],
        [{ ...receipt, units: 12.5001 }, [expect.objectContaining({ field: 'units', code: 'isNumber' })]],
        [{ ...receipt, started_at: 1.5 }, [expect.objectContaining({ field: 'started_at', code: 'isInt' })]],
        [
          { ...receipt, signature: { ...receipt.signature, sig: 7 } },
          [expect.objectContaining({ field: 'signature.sig', code: 'isString' })],
        ],
        [
          { ...receipt, attestations: {} },
          expect.arrayContaining([expect.objectContaining({ field: 'attestations' })]),
        ],
        [{}, expect.arrayContaining([expect.objectContaining({ field: 'receipt_id', code: 'isString' })])],
      ];
      for (const [body, details] of cases) {
        const res = await verify(body);
        expect({ status: res.status, body: res.body }).toEqual({
          status: 422,
          body: envelope(422, 'VALIDATION_FAILED', expect.any(String), details),
        });
      }
      await api.http
        .post('/v1/receipts/verify')
        .set('content-type', 'application/json')
        .send('{"version":')
        .expect(422)
        .then((res) => expect(res.body).toEqual(envelope(422, 'MALFORMED_JSON')));
    });
  });

  describe('reading receipts (client key)', () => {
    it("serves the owner's receipts by id and by job, latest and oldest first", async () => {
      const jobId = await api.submitOk({ payload: { prompt: 'hi' } });
      const first = await issueFor(jobId, 1);
      const second = await issueFor(jobId, 2);

      expect(
        (await api.http.get(`/v1/receipts/${first.receipt_id}`).set('X-Api-Key', TEST_KEYS.client).expect(200)).body,
      ).toEqual(first);
      expect(
        (await api.http.get(`/v1/jobs/${jobId}/receipt`).set('X-Api-Key', TEST_KEYS.client).expect(200)).body,
      ).toEqual(second);
      expect(
        (await api.http.get(`/v1/jobs/${jobId}/receipts`).set('X-Api-Key', TEST_KEYS.client).expect(200)).body,
      ).toEqual({
        items: [first, second],
      });
      // what the API serves still verifies
      expect((await verify(second).expect(200)).body.valid).toBe(true);
    });

    it("answers 404 receipt not available for another client's receipt, an unknown one, or a job without one", async () => {
      const jobId = await api.submitOk({ payload: { prompt: 'hi' } });
      const receipt = await issueFor(jobId);
      const pending = await api.submitOk({ payload: { prompt: 'later' } });
      const probes: [string, string][] = [
        [`/v1/receipts/${receipt.receipt_id}`, BOB_KEY],
        [`/v1/jobs/${jobId}/receipt`, BOB_KEY],
        [`/v1/jobs/${jobId}/receipts`, BOB_KEY],
        [`/v1/receipts/${randomBytes(16).toString('hex')}`, TEST_KEYS.client],
        ['/v1/receipts/not-a-receipt-id', TEST_KEYS.client],
        [`/v1/jobs/${pending}/receipt`, TEST_KEYS.client],
        [`/v1/jobs/${pending}/receipts`, TEST_KEYS.client],
        [`/v1/jobs/${randomBytes(16).toString('hex')}/receipts`, TEST_KEYS.client],
      ];
      for (const [path, key] of probes) {
        const res = await api.http.get(path).set('X-Api-Key', key);
        expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: notAvailable });
      }
    });

    it('needs a client key', async () => {
      const receipt = await aliceReceipt();
      await api.http
        .get(`/v1/receipts/${receipt.receipt_id}`)
        .expect(401)
        .then((res) => expect(res.body).toEqual(envelope(401, 'UNAUTHORIZED')));
      await api.http
        .get(`/v1/jobs/${receipt.job_id}/receipt`)
        .set('X-Api-Key', TEST_KEYS.miner)
        .expect(403)
        .then((res) => expect(res.body).toEqual(envelope(403, 'FORBIDDEN')));
    });
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = await api.http.get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/.well-known/aitbc-keys.json',
        '/v1/receipts/verify',
        '/v1/receipts/{receipt_id}',
        '/v1/jobs/{job_id}/receipt',
        '/v1/jobs/{job_id}/receipts',
      ]),
    );
  });
});
