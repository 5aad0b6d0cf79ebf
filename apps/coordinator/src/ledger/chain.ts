import { createHash } from 'node:crypto';
import { canonicalBytes, decodeBase64Url, encodeBase64Url, fromHex, sign, toHex, verify } from '@aitbc/crypto';
import { ledgerTx } from './ledger';
import type { LedgerEntry, LedgerTxBody, LedgerTxKind } from './ledger.events';

/*
 * Blocks of ledger transactions.
 *
 * Merkle tree: the leaves are the transactions' hashes as 32-byte values, in `seq` order; a parent is
 * sha256(left || right). A node left without a partner at the end of an odd level is promoted to the
 * next level unchanged (not duplicated): duplication lets two different transaction lists share a
 * root (Bitcoin's CVE-2012-2459), promotion does not. One leaf is its own root.
 *
 * Header: {height, prev_hash, merkle_root, tx_count, timestamp, key_id}. Its RFC 8785 canonical JSON
 * is what the coordinator signs (Ed25519, unpadded base64url), and sha256 hex of the same bytes is
 * the block's hash, which the next block's prev_hash names. The signature is left out of the hash:
 * Ed25519 is deterministic, so it adds nothing the header does not already fix, and a block's identity
 * then does not depend on which pinned key happens to verify it.
 */

export const GENESIS_PREV_HASH = '0'.repeat(64);
/** Transactions sealed into one block at most; the rest wait for the next run. */
export const MAX_TXS_PER_BLOCK = 10_000;

export interface BlockHeader {
  height: number;
  prev_hash: string;
  merkle_root: string;
  tx_count: number;
  timestamp: string;
  key_id: string;
}

export interface Block extends BlockHeader {
  hash: string;
  signature: string;
}

export interface MerkleStep {
  /** which side the sibling is on when hashing up */
  position: 'left' | 'right';
  hash: string;
}

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
  }
  return new Uint8Array(hash.digest());
}

function leaves(txHashes: readonly string[]): Uint8Array[] {
  if (txHashes.length === 0) {
    throw new RangeError('a Merkle tree needs at least one leaf');
  }
  return txHashes.map((hash) => {
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new RangeError(`not a sha256 hex hash: ${hash}`);
    }
    return fromHex(hash);
  });
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    next.push(i + 1 < level.length ? sha256(level[i], level[i + 1]) : level[i]);
  }
  return next;
}

/** The Merkle root (hex) of transaction hashes in block order. */
export function merkleRoot(txHashes: readonly string[]): string {
  let level = leaves(txHashes);
  while (level.length > 1) {
    level = nextLevel(level);
  }
  return toHex(level[0]);
}

/** The siblings from leaf `index` up to the root; a promoted node has no sibling at its level. */
export function merkleProof(txHashes: readonly string[], index: number): MerkleStep[] {
  let level = leaves(txHashes);
  if (!Number.isInteger(index) || index < 0 || index >= level.length) {
    throw new RangeError(`no leaf ${index} among ${level.length}`);
  }
  const path: MerkleStep[] = [];
  while (level.length > 1) {
    const sibling = index % 2 === 0 ? index + 1 : index - 1;
    if (sibling < level.length) {
      path.push({ position: sibling < index ? 'left' : 'right', hash: toHex(level[sibling]) });
    }
    level = nextLevel(level);
    index = Math.floor(index / 2);
  }
  return path;
}

/** Whether `path` leads from `txHash` to `root`. */
export function verifyMerkleProof(txHash: string, path: readonly MerkleStep[], root: string): boolean {
  let node = leaves([txHash])[0];
  for (const step of path) {
    const sibling = leaves([step.hash])[0];
    node = step.position === 'left' ? sha256(sibling, node) : sha256(node, sibling);
  }
  return toHex(node) === root;
}

function headerBytes(block: BlockHeader): Uint8Array {
  const { height, prev_hash, merkle_root, tx_count, timestamp, key_id } = block;
  return canonicalBytes({ height, prev_hash, merkle_root, tx_count, timestamp, key_id });
}

/** sha256 hex of the canonical header (the signature is not part of it). */
export function blockHash(header: BlockHeader): string {
  return toHex(sha256(headerBytes(header)));
}

/** A block with its hash and the coordinator's signature over its header. */
export function sealBlock(header: BlockHeader, secretKey: Uint8Array): Block {
  return { ...header, hash: blockHash(header), signature: encodeBase64Url(sign(headerBytes(header), secretKey)) };
}

export function verifyBlockSignature(block: Block, publicKey: Uint8Array): boolean {
  try {
    return verify(headerBytes(block), decodeBase64Url(block.signature), publicKey);
  } catch {
    return false;
  }
}

/** A sealed transaction as stored: its hash and the columns the explorer shows. */
export interface StoredTx {
  tx_hash: string;
  kind: LedgerTxKind;
  job_id: string | null;
  entries: LedgerEntry[];
  body: LedgerTxBody;
}

/**
 * Why a stored block does not hold, or null. `prevHash` is the hash of the block before it (as
 * recomputed), `publicKeys` the pinned signing keys by key id, `txs` the block's transactions in
 * `seq` order.
 */
export function blockDefect(
  block: Block,
  prevHash: string,
  txs: readonly StoredTx[],
  publicKeys: ReadonlyMap<string, Uint8Array>,
): string | null {
  for (const tx of txs) {
    // the columns are what the explorer shows, so they must say what the hashed body says
    const shown = { ...tx.body, kind: tx.kind, job_id: tx.job_id, entries: tx.entries };
    if (ledgerTx(tx.body).tx_hash !== tx.tx_hash || ledgerTx(shown).tx_hash !== tx.tx_hash) {
      return `transaction ${tx.tx_hash} does not match its hash`;
    }
  }
  if (block.prev_hash !== prevHash) {
    return 'prev_hash does not match the previous block';
  }
  if (txs.length === 0 || block.tx_count !== txs.length) {
    return `tx_count ${block.tx_count} but ${txs.length} transactions`;
  }
  if (merkleRoot(txs.map((tx) => tx.tx_hash)) !== block.merkle_root) {
    return 'merkle_root does not match the transactions';
  }
  if (blockHash(block) !== block.hash) {
    return 'hash does not match the header';
  }
  const publicKey = publicKeys.get(block.key_id);
  if (!publicKey) {
    return `signed by unknown key ${block.key_id}`;
  }
  if (!verifyBlockSignature(block, publicKey)) {
    return 'signature does not verify';
  }
  return null;
}
