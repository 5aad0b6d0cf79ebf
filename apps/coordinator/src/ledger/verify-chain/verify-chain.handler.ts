import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import { ReceiptKeysService } from '../../receipts/receipt-keys.service';
import { blockDefect, blockHash, GENESIS_PREV_HASH, type StoredTx } from '../chain';
import { BLOCK_COLUMNS, toBlock } from '../explorer/explorer.repository';
import { VerifyChainQuery, type ChainVerification } from './verify-chain.query';

const PAGE = 500;

/**
 * Re-derives the whole chain from what is stored: every transaction's hash from its body, every
 * block's Merkle root, hash, link to the previous block and signature against the pinned keys. The
 * first block that does not hold is reported; a tampered transaction is reported at its block.
 */
@QueryHandler(VerifyChainQuery)
export class VerifyChainHandler implements IQueryHandler<VerifyChainQuery, ChainVerification> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly keys: ReceiptKeysService,
  ) {}

  async execute(): Promise<ChainVerification> {
    const pinned = new Map(
      (await this.keys.trustedKeys())
        .filter((key) => key.purpose === 'signing')
        .map((key) => [key.keyId, key.publicKey] as const),
    );
    let height = 0;
    let prevHash = GENESIS_PREV_HASH;
    for (;;) {
      const { rows } = await this.pool.query<Parameters<typeof toBlock>[0]>(
        `SELECT ${BLOCK_COLUMNS} FROM ledger_blocks WHERE height > $1 ORDER BY height LIMIT $2`,
        [height, PAGE],
      );
      for (const block of rows.map(toBlock)) {
        const reason =
          block.height !== height + 1
            ? `block ${height + 1} is missing`
            : blockDefect(block, prevHash, await this.transactions(block.height), pinned);
        if (reason !== null) {
          return { valid: false, height: block.height, first_bad_height: height + 1, reason };
        }
        height = block.height;
        // the next link is checked against what this header hashes to, not what its row claims
        prevHash = blockHash(block);
      }
      if (rows.length < PAGE) {
        return { valid: true, height, first_bad_height: null, reason: null };
      }
    }
  }

  private async transactions(height: number): Promise<StoredTx[]> {
    const { rows } = await this.pool.query<StoredTx>(
      'SELECT tx_hash, kind, job_id, entries, body FROM ledger_transactions WHERE block_height = $1 ORDER BY seq',
      [height],
    );
    return rows;
  }
}
