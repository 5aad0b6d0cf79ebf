import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { CLOCK, type Clock } from '../../clock';
import { PG_POOL } from '../../database/database.module';
import { ReceiptKeysService } from '../../receipts/receipt-keys.service';
import { GENESIS_PREV_HASH, MAX_TXS_PER_BLOCK, merkleRoot, sealBlock, type Block } from '../chain';

/** Advisory lock (class, key) a seal holds for its transaction; the class differs from other locks'. */
export const SEAL_LOCK = { classId: 0x4c_42_4c_4b /* "LBLK" */, key: 1 } as const;

/**
 * Seals the pending ledger transactions (oldest `seq` first, at most `MAX_TXS_PER_BLOCK`) into the
 * next block, in one database transaction: the block row and every transaction's `block_height`
 * commit together or not at all. Nothing pending, no block.
 */
@Injectable()
export class SealBlocks {
  private readonly logger = new Logger('blocks');
  private stopping = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly keys: ReceiptKeysService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The block sealed, or `null` when nothing was pending or another coordinator is sealing. BullMQ
   * may start the next scheduled run on another coordinator while this one is still going; the
   * transaction-scoped advisory lock keeps seals one at a time, and the height's primary key would
   * refuse a second block at the same height anyway.
   */
  async run(maxTxs = MAX_TXS_PER_BLOCK): Promise<Block | null> {
    if (this.stopping) {
      return null;
    }
    const client = await this.pool.connect();
    let reusable = false;
    try {
      await client.query('BEGIN');
      try {
        const block = await this.seal(client, maxTxs);
        await client.query('COMMIT');
        reusable = true;
        return block;
      } catch (error) {
        await client.query('ROLLBACK');
        reusable = true;
        throw error;
      }
    } finally {
      client.release(reusable ? undefined : true);
    }
  }

  /** Ends sealing: a run in flight finishes its block, later runs do nothing (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  private async seal(db: PoolClient, maxTxs: number): Promise<Block | null> {
    const { rows: lock } = await db.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS locked',
      [SEAL_LOCK.classId, SEAL_LOCK.key],
    );
    if (!lock[0].locked) {
      return null;
    }
    const { rows: pending } = await db.query<{ tx_hash: string }>(
      'SELECT tx_hash FROM ledger_transactions WHERE block_height IS NULL ORDER BY seq LIMIT $1',
      [maxTxs],
    );
    if (pending.length === 0) {
      return null;
    }
    const { rows: tip } = await db.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM ledger_blocks ORDER BY height DESC LIMIT 1',
    );
    const signer = this.keys.signingKey();
    const txHashes = pending.map((row) => row.tx_hash);
    const block = sealBlock(
      {
        height: tip.length === 0 ? 1 : Number(tip[0].height) + 1,
        prev_hash: tip.length === 0 ? GENESIS_PREV_HASH : tip[0].hash,
        merkle_root: merkleRoot(txHashes),
        tx_count: txHashes.length,
        timestamp: this.clock.now().toISOString(),
        key_id: signer.keyId,
      },
      signer.secretKey,
    );
    await db.query(
      `INSERT INTO ledger_blocks (height, hash, prev_hash, merkle_root, tx_count, "timestamp", key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        block.height,
        block.hash,
        block.prev_hash,
        block.merkle_root,
        block.tx_count,
        block.timestamp,
        block.key_id,
        block.signature,
      ],
    );
    const { rowCount } = await db.query(
      'UPDATE ledger_transactions SET block_height = $1 WHERE tx_hash = ANY($2::text[]) AND block_height IS NULL',
      [block.height, txHashes],
    );
    if (rowCount !== txHashes.length) {
      // only a sealer that ignored the lock could get here; its block must not stand
      throw new Error(`block ${block.height}: ${txHashes.length - (rowCount ?? 0)} transactions were sealed meanwhile`);
    }
    this.logger.log(`sealed block ${block.height} with ${block.tx_count} transactions`);
    return block;
  }
}
