import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { keyId, keyPairFromSeedHex, ready } from '@aitbc/crypto';
import { GENESIS_PREV_HASH, merkleRoot, verifyMerkleProof, type Block } from '../../apps/coordinator/src/ledger/chain';
import { readReceiptProof } from '../../apps/coordinator/src/ledger/explorer/explorer.repository';
import { ledgerTx } from '../../apps/coordinator/src/ledger/ledger';
import { ProofNotAvailableError } from '../../apps/coordinator/src/ledger/ledger.errors';
import type { LedgerTxKind } from '../../apps/coordinator/src/ledger/ledger.events';
import { SealBlocks } from '../../apps/coordinator/src/ledger/seal-blocks/seal-blocks.service';
import { VerifyChainHandler } from '../../apps/coordinator/src/ledger/verify-chain/verify-chain.handler';
import type { ReceiptKeysService } from '../../apps/coordinator/src/receipts/receipt-keys.service';
import { createTestPool } from '../support/test-database';

/** Unseals everything and drops the blocks: the chain is rebuilt from scratch with this test's key. */
async function resetChain(pool: Pool): Promise<void> {
  await pool.query('UPDATE ledger_transactions SET block_height = NULL WHERE block_height IS NOT NULL');
  await pool.query('DELETE FROM ledger_blocks');
}

describe('ledger blocks (real Postgres)', () => {
  let pool: Pool;
  let keys: ReceiptKeysService;
  let sealer: SealBlocks;
  let verifier: VerifyChainHandler;

  beforeAll(async () => {
    await ready();
    pool = createTestPool(6);
    const pair = keyPairFromSeedHex('33'.repeat(32));
    const signer = { keyId: keyId(pair.publicKey), secretKey: pair.secretKey };
    const trusted = [{ keyId: signer.keyId, purpose: 'signing' as const, publicKey: pair.publicKey }];
    keys = {
      signingKey: () => signer,
      trustedKeys: () => Promise.resolve(trusted),
    } as unknown as ReceiptKeysService;
    sealer = new SealBlocks(pool, keys, { now: () => new Date() });
    verifier = new VerifyChainHandler(pool, keys);
    await resetChain(pool);
    // whatever earlier tests left pending goes into the first blocks
    while (await sealer.run()) {
      /* next block */
    }
  });
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await resetChain(pool);
    await pool.end();
  });

  async function addTx(kind: LedgerTxKind = 'deposit', jobId: string | null = null): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const { tx_hash, ...body } = ledgerTx({
      kind,
      job_id: jobId,
      entries: [{ account: `client:blocks-${id}`, delta_micro: 1000 }],
      created_at: new Date().toISOString(),
      ref: `blocks-test-${id}`,
    });
    await pool.query(
      `INSERT INTO ledger_transactions (tx_hash, kind, job_id, body, entries, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [tx_hash, kind, jobId, JSON.stringify(body), JSON.stringify(body.entries), body.created_at],
    );
    return tx_hash;
  }

  async function tip(): Promise<{ height: number; hash: string }> {
    const { rows } = await pool.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM ledger_blocks ORDER BY height DESC LIMIT 1',
    );
    return rows.length === 0
      ? { height: 0, hash: GENESIS_PREV_HASH }
      : { height: Number(rows[0].height), hash: rows[0].hash };
  }

  it('seals the pending transactions into one linked block, and seals nothing when none are pending', async () => {
    const before = await tip();
    const hashes = [await addTx(), await addTx(), await addTx()];
    const block = (await sealer.run()) as Block;
    expect(block).toMatchObject({
      height: before.height + 1,
      prev_hash: before.hash,
      merkle_root: merkleRoot(hashes),
      tx_count: 3,
    });
    const { rows } = await pool.query<{ tx_hash: string; block_height: string }>(
      'SELECT tx_hash, block_height FROM ledger_transactions WHERE tx_hash = ANY($1) ORDER BY seq',
      [hashes],
    );
    expect(rows).toEqual(hashes.map((tx_hash) => ({ tx_hash, block_height: String(block.height) })));

    expect(await sealer.run()).toBeNull();
    expect(await tip()).toEqual({ height: block.height, hash: block.hash });
  });

  it('never gives two blocks one height, however many sealers run at once', async () => {
    const before = await tip();
    for (let round = 0; round < 5; round++) {
      await Promise.all([addTx(), addTx()]);
      await Promise.all([sealer.run(), sealer.run(), sealer.run(), sealer.run()]);
    }
    while (await sealer.run()) {
      /* whatever a lost race left pending */
    }
    const { rows } = await pool.query<{ heights: string; distinct_heights: string; max: string; pending: string }>(
      `SELECT count(*) AS heights, count(DISTINCT height) AS distinct_heights, max(height) AS max,
              (SELECT count(*) FROM ledger_transactions WHERE block_height IS NULL) AS pending
       FROM ledger_blocks`,
    );
    const { heights, distinct_heights, max, pending } = rows[0];
    expect(Number(heights)).toBeGreaterThan(before.height);
    expect([distinct_heights, max, pending]).toEqual([heights, heights, '0']);
    expect(await verifier.execute()).toEqual({
      valid: true,
      height: Number(heights),
      first_bad_height: null,
      reason: null,
    });
  });

  it('reports the height of a tampered transaction or block', async () => {
    const txHash = await addTx();
    const block = (await sealer.run()) as Block;
    await addTx();
    const later = (await sealer.run()) as Block;
    expect(await verifier.execute()).toMatchObject({ valid: true, height: later.height });

    await pool.query(
      `UPDATE ledger_transactions SET entries = jsonb_set(entries, '{0,delta_micro}', '999999') WHERE tx_hash = $1`,
      [txHash],
    );
    try {
      expect(await verifier.execute()).toEqual({
        valid: false,
        height: block.height,
        first_bad_height: block.height,
        reason: `transaction ${txHash} does not match its hash`,
      });
    } finally {
      await pool.query(`UPDATE ledger_transactions SET entries = body->'entries' WHERE tx_hash = $1`, [txHash]);
    }

    await pool.query('UPDATE ledger_blocks SET merkle_root = $2 WHERE height = $1', [block.height, 'ab'.repeat(32)]);
    try {
      expect(await verifier.execute()).toMatchObject({
        valid: false,
        first_bad_height: block.height,
        reason: 'merkle_root does not match the transactions',
      });
    } finally {
      await pool.query('UPDATE ledger_blocks SET merkle_root = $2 WHERE height = $1', [
        block.height,
        block.merkle_root,
      ]);
    }
    expect(await verifier.execute()).toMatchObject({ valid: true, first_bad_height: null });
  });

  it('proves a receipt’s settlement against its block’s root once it is sealed', async () => {
    const jobId = randomBytes(16).toString('hex');
    const receiptId = randomBytes(16).toString('hex');
    await addTx();
    const captureHash = await addTx('capture', jobId);
    await addTx();
    await pool.query(
      `INSERT INTO receipts (receipt_id, job_id, attempt, client_id, provider, body, created_at)
       VALUES ($1, $2, 1, 'blocks-test', 'rig-1/blocks', $3, now())`,
      [receiptId, jobId, JSON.stringify({ price: '0.25', units: 12.5, completed_at: 1_700_000_000 })],
    );
    await expect(readReceiptProof(pool, receiptId)).rejects.toThrow(ProofNotAvailableError);

    const block = (await sealer.run()) as Block;
    const proof = await readReceiptProof(pool, receiptId);
    expect(proof).toEqual({
      receipt_id: receiptId,
      tx_hash: captureHash,
      block,
      merkle_path: expect.any(Array),
      root: block.merkle_root,
    });
    expect(proof.merkle_path).toHaveLength(2);
    expect(verifyMerkleProof(captureHash, proof.merkle_path, block.merkle_root)).toBe(true);
    expect(verifyMerkleProof(block.hash, proof.merkle_path, block.merkle_root)).toBe(false);
  });
});
