import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { verifyMerkleProof } from '../../apps/coordinator/src/ledger/chain';
import { Api } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { createTestPool, clearDispatch } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('explorer and chain verification', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createTestPool(2);
    // blocks earlier tests sealed may be signed by keys those tests removed: rebuild the chain here
    await pool.query('UPDATE ledger_transactions SET block_height = NULL WHERE block_height IS NOT NULL');
    await pool.query('DELETE FROM ledger_blocks');
    await clearDispatch(pool);
    coordinator = await bootCoordinator(testEnv({ LEDGER_BLOCK_INTERVAL_MS: '200' }));
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });

  const get = (path: string) => api.http.get(path);
  const notFound = (code: string, detail: string) => ({
    detail,
    error: { code, status: 404, details: [] },
    request_id: expect.any(String),
  });

  it('seals a paid job’s settlement into a block the explorer shows and proves, and the chain verifies', async () => {
    await api.http
      .post('/v1/admin/accounts/client%3Aalice/deposit')
      .set('X-Api-Key', TEST_KEYS.admin)
      .send({ amount: '5' })
      .expect(200);
    const miner = `explorer-${randomBytes(3).toString('hex')}`;
    await api.register(miner);
    const jobId = await api.submitOk({ payload: { prompt: 'seal me' }, payment_amount: '0.5' });
    expect((await api.poll(miner).expect(200)).body.job_id).toBe(jobId);
    const { receipt } = (await api.result(miner, jobId).expect(200)).body;
    const captureHash = (await api.http.get(`/v1/jobs/${jobId}/payment`).set('X-Api-Key', TEST_KEYS.client)).body
      .settlement_tx_hash as string;

    const tx = await waitFor(
      async () => {
        const { body } = await get(`/v1/explorer/transactions/${captureHash}`).expect(200);
        return body.block_height === null ? null : body;
      },
      { message: 'the capture to be sealed' },
    );
    expect(tx).toEqual({
      tx_hash: captureHash,
      kind: 'capture',
      job_id: jobId,
      entries: expect.any(Array),
      block_height: expect.any(Number),
      created_at: expect.any(String),
    });

    const block = (await get(`/v1/explorer/blocks/${tx.block_height}`).expect(200)).body;
    expect(block).toEqual({
      height: tx.block_height,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prev_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      merkle_root: expect.stringMatching(/^[0-9a-f]{64}$/),
      tx_count: block.tx_hashes.length,
      timestamp: expect.any(String),
      key_id: expect.any(String),
      signature: expect.any(String),
      tx_hashes: expect.arrayContaining([captureHash]),
    });
    const { tx_hashes: _hashes, ...header } = block;
    const page = (await get('/v1/explorer/blocks?limit=100').expect(200)).body;
    expect(page.blocks).toContainEqual(header);
    expect(page.blocks[0].height).toBeGreaterThanOrEqual(header.height);

    const proof = (await get(`/v1/explorer/receipts/${receipt.receipt_id}/proof`).expect(200)).body;
    expect(proof).toEqual({
      receipt_id: receipt.receipt_id,
      tx_hash: captureHash,
      block: header,
      merkle_path: expect.any(Array),
      root: header.merkle_root,
    });
    expect(verifyMerkleProof(captureHash, proof.merkle_path, proof.root)).toBe(true);

    const receipts = (await get('/v1/explorer/receipts?limit=100').expect(200)).body.receipts;
    expect(receipts).toContainEqual({
      receipt_id: receipt.receipt_id,
      job_id: jobId,
      provider: receipt.provider,
      price: receipt.price,
      units: receipt.units,
      completed_at: receipt.completed_at,
      block_height: header.height,
    });

    await get('/v1/ledger/verify').expect(200, {
      valid: true,
      height: page.blocks[0].height,
      first_bad_height: null,
      reason: null,
    });
  });

  it('answers 404 in the error envelope for what does not exist', async () => {
    expect((await get('/v1/explorer/blocks/999999999').expect(404)).body).toEqual(
      notFound('BLOCK_NOT_FOUND', 'block not found'),
    );
    expect((await get('/v1/explorer/blocks/abc').expect(404)).body.error.code).toBe('BLOCK_NOT_FOUND');
    expect((await get(`/v1/explorer/transactions/${'0'.repeat(64)}`).expect(404)).body).toEqual(
      notFound('TRANSACTION_NOT_FOUND', 'transaction not found'),
    );
    expect((await get(`/v1/explorer/receipts/${'0'.repeat(32)}/proof`).expect(404)).body).toEqual(
      notFound('PROOF_NOT_AVAILABLE', 'proof not available'),
    );
    expect((await get('/v1/explorer/blocks?limit=0').expect(422)).body.error.code).toBe('VALIDATION_FAILED');
  });
});
