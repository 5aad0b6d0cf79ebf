import type { Queryable } from '@aitbc/event-store';
import { merkleProof, type Block, type MerkleStep } from '../chain';
import { BlockNotFoundError, ProofNotAvailableError, TransactionNotFoundError } from '../ledger.errors';
import type { LedgerEntry, LedgerTxKind } from '../ledger.events';

const HEIGHT = /^[1-9][0-9]{0,14}$/;
const TX_HASH = /^[0-9a-f]{64}$/;
const RECEIPT_ID = /^[0-9a-f]{32}$/;
const DEFAULT_LIMIT = 20;

export interface BlockPage {
  blocks: Block[];
  /** the cursor of the next (older) page, or null on the last */
  next_cursor: number | null;
}

export interface BlockWithTxs extends Block {
  tx_hashes: string[];
}

export interface ExplorerTransaction {
  tx_hash: string;
  kind: LedgerTxKind;
  job_id: string | null;
  entries: LedgerEntry[];
  block_height: number | null;
  created_at: string;
}

/** What the explorer shows of a receipt: no payload, result or their hashes, no client. */
export interface ExplorerReceipt {
  receipt_id: string;
  job_id: string;
  provider: string;
  price: string;
  units: number;
  completed_at: number;
  block_height: number | null;
}

export interface ReceiptProof {
  receipt_id: string;
  tx_hash: string;
  block: Block;
  merkle_path: MerkleStep[];
  root: string;
}

interface BlockRow {
  height: string;
  hash: string;
  prev_hash: string;
  merkle_root: string;
  tx_count: number;
  timestamp: string;
  key_id: string;
  signature: string;
}

export const BLOCK_COLUMNS = 'height, hash, prev_hash, merkle_root, tx_count, "timestamp", key_id, signature';

export function toBlock(row: BlockRow): Block {
  return {
    height: Number(row.height),
    hash: row.hash,
    prev_hash: row.prev_hash,
    merkle_root: row.merkle_root,
    tx_count: row.tx_count,
    timestamp: row.timestamp,
    key_id: row.key_id,
    signature: row.signature,
  };
}

export async function listBlocks(db: Queryable, limit = DEFAULT_LIMIT, cursor?: number): Promise<BlockPage> {
  const { rows } = await db.query<BlockRow>(
    `SELECT ${BLOCK_COLUMNS} FROM ledger_blocks WHERE ($1::bigint IS NULL OR height < $1)
     ORDER BY height DESC LIMIT $2`,
    [cursor ?? null, limit + 1],
  );
  const blocks = rows.slice(0, limit).map(toBlock);
  return { blocks, next_cursor: rows.length > limit ? blocks[blocks.length - 1].height : null };
}

export async function readBlock(db: Queryable, height: string): Promise<BlockWithTxs> {
  if (!HEIGHT.test(height)) {
    throw new BlockNotFoundError();
  }
  const block = await blockAt(db, Number(height));
  if (!block) {
    throw new BlockNotFoundError();
  }
  return { ...block, tx_hashes: await blockTxHashes(db, block.height) };
}

export async function readTransaction(db: Queryable, txHash: string): Promise<ExplorerTransaction> {
  if (!TX_HASH.test(txHash)) {
    throw new TransactionNotFoundError();
  }
  const { rows } = await db.query<Omit<ExplorerTransaction, 'block_height' | 'created_at'> & BlockRef>(
    `SELECT tx_hash, kind, job_id, entries, block_height, body->>'created_at' AS created_at
     FROM ledger_transactions WHERE tx_hash = $1`,
    [txHash],
  );
  if (rows.length === 0) {
    throw new TransactionNotFoundError();
  }
  const { block_height, created_at, ...tx } = rows[0];
  return { ...tx, block_height: block_height === null ? null : Number(block_height), created_at };
}

interface BlockRef {
  block_height: string | null;
  created_at: string;
}

export async function listReceipts(db: Queryable, limit = DEFAULT_LIMIT): Promise<{ receipts: ExplorerReceipt[] }> {
  const { rows } = await db.query<{
    receipt_id: string;
    job_id: string;
    provider: string;
    price: string;
    units: number;
    completed_at: number;
    block_height: string | null;
  }>(
    `SELECT r.receipt_id, r.job_id, r.provider, r.body->>'price' AS price, (r.body->'units')::float8 AS units,
            (r.body->'completed_at')::bigint::float8 AS completed_at, t.block_height
     FROM receipts r
     LEFT JOIN ledger_transactions t ON t.job_id = r.job_id AND t.kind = 'capture'
     ORDER BY r.created_at DESC, r.receipt_id LIMIT $1`,
    [limit],
  );
  return {
    receipts: rows.map((row) => ({
      ...row,
      block_height: row.block_height === null ? null : Number(row.block_height),
    })),
  };
}

/** The Merkle path from a receipt's settlement (its job's capture) to the root of the block sealing it. */
export async function readReceiptProof(db: Queryable, receiptId: string): Promise<ReceiptProof> {
  if (!RECEIPT_ID.test(receiptId)) {
    throw new ProofNotAvailableError();
  }
  const { rows } = await db.query<{ tx_hash: string; block_height: string | null }>(
    `SELECT t.tx_hash, t.block_height FROM receipts r
     JOIN ledger_transactions t ON t.job_id = r.job_id AND t.kind = 'capture'
     WHERE r.receipt_id = $1`,
    [receiptId],
  );
  if (rows.length === 0 || rows[0].block_height === null) {
    throw new ProofNotAvailableError();
  }
  const { tx_hash, block_height } = rows[0];
  const block = await blockAt(db, Number(block_height));
  if (!block) {
    throw new ProofNotAvailableError();
  }
  const txHashes = await blockTxHashes(db, block.height);
  return {
    receipt_id: receiptId,
    tx_hash,
    block,
    merkle_path: merkleProof(txHashes, txHashes.indexOf(tx_hash)),
    root: block.merkle_root,
  };
}

async function blockAt(db: Queryable, height: number): Promise<Block | null> {
  const { rows } = await db.query<BlockRow>(`SELECT ${BLOCK_COLUMNS} FROM ledger_blocks WHERE height = $1`, [height]);
  return rows.length === 0 ? null : toBlock(rows[0]);
}

/** A block's transaction hashes in the order its Merkle tree was built. */
export async function blockTxHashes(db: Queryable, height: number): Promise<string[]> {
  const { rows } = await db.query<{ tx_hash: string }>(
    'SELECT tx_hash FROM ledger_transactions WHERE block_height = $1 ORDER BY seq',
    [height],
  );
  return rows.map((row) => row.tx_hash);
}
