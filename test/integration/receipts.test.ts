import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { keyId, keyPairFromSeedHex, publicKeyToBase64Url } from '@aitbc/crypto';
import { withTransaction } from '@aitbc/event-store';
import { loadConfig } from '../../apps/coordinator/src/config';
import { contentHash, verifyReceipt } from '../../apps/coordinator/src/receipts/receipt';
import { IssueReceiptInput, ReceiptIssuer } from '../../apps/coordinator/src/receipts/receipt-issuer';
import { ReceiptKeysService } from '../../apps/coordinator/src/receipts/receipt-keys.service';
import { createTestPool, testDatabaseUrl, resetReceiptKeys } from '../support/test-database';

const SIGNING_SEED = '5a'.repeat(32);
const ATTESTATION_SEED = 'a5'.repeat(32);
const NOW = new Date('2026-01-24T10:15:13.000Z');

interface KeyRow {
  key_id: string;
  purpose: string;
  source: string;
  public_key: string;
  secret_seed_hex: string | null;
}

describe('receipts on real Postgres', () => {
  let pool: Pool;
  let logged: string[] = [];

  beforeAll(() => {
    pool = createTestPool(8);
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
      logged.push(String(message));
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await pool.end();
  });
  beforeEach(() => {
    logged = [];
  });

  async function keysService(env: Record<string, string> = {}, now = NOW): Promise<ReceiptKeysService> {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), ...env });
    const service = new ReceiptKeysService(pool, config, { now: () => now });
    await service.onModuleInit();
    return service;
  }

  async function keyRows(): Promise<KeyRow[]> {
    const { rows } = await pool.query<KeyRow>(
      'SELECT key_id, purpose, source, public_key, secret_seed_hex FROM receipt_keys ORDER BY created_at, key_id',
    );
    return rows;
  }

  describe('ReceiptKeysService', () => {
    // each case starts from a deployment that has never signed a receipt
    beforeEach(async () => {
      await resetReceiptKeys(pool);
    });

    it('generates the signing key once, keeps it in the database and reuses it after a restart', async () => {
      const first = (await keysService()).signingKey();
      const [row] = await keyRows();
      expect(await keyRows()).toEqual([
        {
          key_id: first.keyId,
          purpose: 'signing',
          source: 'generated',
          public_key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          secret_seed_hex: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
      expect(keyId(keyPairFromSeedHex(row.secret_seed_hex!).publicKey)).toBe(first.keyId);

      const restarted = await keysService();
      expect(restarted.signingKey()).toEqual(first);
      expect(restarted.attestationKey()).toBeNull();
      expect(await restarted.publishedKeys()).toEqual([
        {
          key_id: first.keyId,
          alg: 'Ed25519',
          public_key: row.public_key,
          purpose: 'signing',
          created_at: NOW.toISOString(),
        },
      ]);
      expect(await keyRows()).toHaveLength(1);
    });

    it('ends with one key when several coordinators boot for the first time together', async () => {
      const services = await Promise.all(Array.from({ length: 6 }, () => keysService()));
      const ids = new Set(services.map((service) => service.signingKey().keyId));
      expect(ids.size).toBe(1);
      expect((await keyRows()).map((row) => row.key_id)).toEqual([...ids]);
    });

    it('signs with a configured key instead, records only its public half, and still pins the old key', async () => {
      const generated = (await keysService()).signingKey();
      const configured = keyPairFromSeedHex(SIGNING_SEED);
      const later = new Date(NOW.getTime() + 86_400_000);
      const service = await keysService({ RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED }, later);
      expect(service.signingKey()).toEqual({ keyId: keyId(configured.publicKey), secretKey: configured.secretKey });
      expect(await keyRows()).toEqual([
        expect.objectContaining({ key_id: generated.keyId, source: 'generated' }),
        {
          key_id: keyId(configured.publicKey),
          purpose: 'signing',
          source: 'configured',
          public_key: publicKeyToBase64Url(configured.publicKey),
          secret_seed_hex: null,
        },
      ]);
      expect((await service.trustedKeys()).map((key) => key.keyId).sort()).toEqual(
        [generated.keyId, keyId(configured.publicKey)].sort(),
      );
      // a restart with the same configuration adds nothing
      await keysService({ RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED });
      expect(await keyRows()).toHaveLength(2);
    });

    it('publishes a configured attestation key for attestation', async () => {
      const service = await keysService({
        RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED,
        RECEIPT_ATTESTATION_KEY_HEX: ATTESTATION_SEED,
      });
      const attestationId = keyId(keyPairFromSeedHex(ATTESTATION_SEED).publicKey);
      expect(service.attestationKey()?.keyId).toBe(attestationId);
      expect((await service.publishedKeys()).map((key) => [key.key_id, key.purpose])).toEqual(
        expect.arrayContaining([
          [keyId(keyPairFromSeedHex(SIGNING_SEED).publicKey), 'signing'],
          [attestationId, 'attestation'],
        ]),
      );
    });

    it('refuses one key for both signing and attestation', async () => {
      await expect(
        keysService({ RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED, RECEIPT_ATTESTATION_KEY_HEX: SIGNING_SEED }),
      ).rejects.toThrow(/RECEIPT_ATTESTATION_KEY_HEX holds key [0-9a-f]{16}, which is already used for signing/);
    });

    it('never logs a seed', async () => {
      await keysService();
      await keysService({ RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED, RECEIPT_ATTESTATION_KEY_HEX: ATTESTATION_SEED });
      const seeds = (await keyRows()).flatMap((row) => (row.secret_seed_hex ? [row.secret_seed_hex] : []));
      expect(logged.length).toBeGreaterThan(0);
      for (const secret of [...seeds, SIGNING_SEED, ATTESTATION_SEED]) {
        expect(logged.join('\n')).not.toContain(secret);
      }
    });
  });

  describe('ReceiptIssuer', () => {
    let keys: ReceiptKeysService;
    let issuer: ReceiptIssuer;

    beforeAll(async () => {
      keys = await keysService({
        RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED,
        RECEIPT_ATTESTATION_KEY_HEX: ATTESTATION_SEED,
      });
      issuer = new ReceiptIssuer(keys);
    });

    function completion(overrides: Partial<IssueReceiptInput> = {}): IssueReceiptInput {
      return {
        jobId: randomBytes(16).toString('hex'),
        attempt: 1,
        clientId: 'alice',
        minerId: 'rig-1/gpu-a',
        assignedAt: new Date(NOW.getTime() - 13_000),
        completedAt: NOW,
        measuredMs: 12_500,
        unitPriceMicro: 20_000,
        escrowMicro: 1_000_000,
        payloadHash: contentHash({ prompt: 'What is machine learning?' }),
        resultHash: contentHash({ response: 'done' }),
        model: 'llama3.2:latest',
        ...overrides,
      };
    }

    async function storedBodies(jobId: string): Promise<unknown[]> {
      const { rows } = await pool.query<{ body: unknown }>(
        'SELECT body FROM receipts WHERE job_id = $1 ORDER BY attempt',
        [jobId],
      );
      return rows.map((row) => row.body);
    }

    it('issues a signed, attested receipt inside the transaction of the caller and stores exactly it', async () => {
      const input = completion();
      const receipt = await withTransaction(pool, (tx) => issuer.issue(tx, input));
      expect(receipt).toMatchObject({
        job_id: input.jobId,
        provider: 'rig-1/gpu-a',
        client: 'alice',
        status: 'completed',
        units: 12.5,
        unit_price: '0.02',
        price: '0.25',
        started_at: 1769249700,
        completed_at: 1769249713,
        model: 'llama3.2:latest',
      });
      expect(verifyReceipt(receipt, await keys.trustedKeys())).toEqual({
        valid: true,
        key_id: keys.signingKey().keyId,
        attestations: [{ key_id: keys.attestationKey()!.keyId, valid: true }],
        reasons: [],
      });
      expect(await storedBodies(input.jobId)).toEqual([receipt]);
      const { rows } = await pool.query(
        'SELECT receipt_id, attempt, client_id, provider FROM receipts WHERE job_id = $1',
        [input.jobId],
      );
      expect(rows).toEqual([
        { receipt_id: receipt.receipt_id, attempt: 1, client_id: 'alice', provider: 'rig-1/gpu-a' },
      ]);
    });

    it('returns the stored receipt for a replay of the same completion, and a new one for another attempt', async () => {
      const input = completion();
      const first = await withTransaction(pool, (tx) => issuer.issue(tx, input));
      const replay = await withTransaction(pool, (tx) =>
        issuer.issue(tx, { ...input, completedAt: new Date(NOW.getTime() + 5_000), measuredMs: 1 }),
      );
      expect(replay).toEqual(first);
      expect(Object.keys(replay)).toEqual(Object.keys(first));
      const second = await withTransaction(pool, (tx) => issuer.issue(tx, { ...input, attempt: 2 }));
      expect(second.receipt_id).not.toBe(first.receipt_id);
      expect(await storedBodies(input.jobId)).toEqual([first, second]);
    });

    it('gives two concurrent issues of one completion the same receipt', async () => {
      const input = completion();
      const a = await pool.connect();
      const b = await pool.connect();
      try {
        await a.query('BEGIN');
        await b.query('BEGIN');
        const first = await issuer.issue(a, input);
        // b's INSERT waits on a's uncommitted row, then finds it committed
        const racing = issuer.issue(b, { ...input, completedAt: new Date(NOW.getTime() + 1_000) });
        await a.query('COMMIT');
        expect(await racing).toEqual(first);
        await b.query('COMMIT');
      } finally {
        a.release();
        b.release();
      }
      expect(await storedBodies(input.jobId)).toHaveLength(1);
    });

    it('leaves no receipt when the transaction of the caller rolls back', async () => {
      const input = completion();
      await expect(
        withTransaction(pool, async (tx) => {
          await issuer.issue(tx, input);
          throw new Error('completion failed');
        }),
      ).rejects.toThrow('completion failed');
      expect(await storedBodies(input.jobId)).toEqual([]);
    });
  });
});
