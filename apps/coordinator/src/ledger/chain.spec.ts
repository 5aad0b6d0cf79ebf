import { createHash } from 'node:crypto';
import { keyId, keyPairFromSeedHex, ready, type Ed25519KeyPair } from '@aitbc/crypto';
import {
  blockDefect,
  blockHash,
  GENESIS_PREV_HASH,
  merkleProof,
  merkleRoot,
  sealBlock,
  verifyBlockSignature,
  verifyMerkleProof,
  type BlockHeader,
  type StoredTx,
} from './chain';
import { ledgerTx } from './ledger';

const leaf = (n: number) => createHash('sha256').update(`tx-${n}`).digest('hex');
const pair = (left: string, right: string) =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(left, 'hex'), Buffer.from(right, 'hex')]))
    .digest('hex');
const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(leaf);

describe('merkleRoot', () => {
  it('hashes pairs of 32-byte leaves and promotes an odd node unchanged', () => {
    expect(merkleRoot([a])).toBe(a);
    expect(merkleRoot([a, b])).toBe(pair(a, b));
    expect(merkleRoot([a, b, c])).toBe(pair(pair(a, b), c));
    expect(merkleRoot([a, b, c, d])).toBe(pair(pair(a, b), pair(c, d)));
    expect(merkleRoot([a, b, c, d, e])).toBe(pair(pair(pair(a, b), pair(c, d)), e));
  });

  it('refuses an empty tree and leaves that are not sha256 hex', () => {
    expect(() => merkleRoot([])).toThrow(RangeError);
    expect(() => merkleRoot(['abc'])).toThrow(RangeError);
  });

  it('gives a different root when a leaf is repeated (no duplication ambiguity)', () => {
    expect(merkleRoot([a, b, c, c])).not.toBe(merkleRoot([a, b, c]));
  });
});

describe('merkleProof', () => {
  it('names each sibling and its side', () => {
    expect(merkleProof([a, b, c], 2)).toEqual([{ position: 'left', hash: pair(a, b) }]);
    expect(merkleProof([a, b, c, d, e], 1)).toEqual([
      { position: 'left', hash: a },
      { position: 'right', hash: pair(c, d) },
      { position: 'right', hash: e },
    ]);
    expect(merkleProof([a], 0)).toEqual([]);
  });

  it('verifies for every leaf of trees of 1 to 9 leaves, and fails for a wrong leaf or root', () => {
    for (let size = 1; size <= 9; size++) {
      const hashes = Array.from({ length: size }, (_, i) => leaf(i));
      const root = merkleRoot(hashes);
      hashes.forEach((hash, index) => {
        const path = merkleProof(hashes, index);
        expect(verifyMerkleProof(hash, path, root)).toBe(true);
        expect(verifyMerkleProof(leaf(100), path, root)).toBe(false);
        expect(verifyMerkleProof(hash, path, leaf(101))).toBe(false);
      });
    }
  });

  it('refuses a leaf index outside the tree', () => {
    expect(() => merkleProof([a, b], 2)).toThrow(RangeError);
  });
});

describe('blocks', () => {
  const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  let keys: Ed25519KeyPair;
  let pinned: Map<string, Uint8Array>;
  let header: BlockHeader;

  beforeAll(async () => {
    await ready();
    keys = keyPairFromSeedHex(SEED);
    pinned = new Map([[keyId(keys.publicKey), keys.publicKey]]);
    header = {
      height: 1,
      prev_hash: GENESIS_PREV_HASH,
      merkle_root: merkleRoot([tx_hash]),
      tx_count: 1,
      timestamp: '2025-01-01T00:00:01.000Z',
      key_id: keyId(keys.publicKey),
    };
  });

  const tx = ledgerTx({
    kind: 'deposit',
    job_id: null,
    entries: [{ account: 'client:alice', delta_micro: 5 }],
    created_at: '2025-01-01T00:00:00.000Z',
    ref: 'account-client:alice#1',
  });
  const { tx_hash, ...body } = tx;
  const stored: StoredTx = { tx_hash, kind: body.kind, job_id: body.job_id, entries: body.entries, body };
  it('hashes and signs the canonical header, and a sound block has no defect', () => {
    const block = sealBlock(header, keys.secretKey);
    expect(block.hash).toBe(
      createHash('sha256')
        .update(
          `{"height":1,"key_id":"${header.key_id}","merkle_root":"${header.merkle_root}",` +
            `"prev_hash":"${GENESIS_PREV_HASH}","timestamp":"2025-01-01T00:00:01.000Z","tx_count":1}`,
        )
        .digest('hex'),
    );
    expect(verifyBlockSignature(block, keys.publicKey)).toBe(true);
    expect(blockDefect(block, GENESIS_PREV_HASH, [stored], pinned)).toBeNull();
  });

  it('names what is wrong with a tampered block or transaction', () => {
    const block = sealBlock(header, keys.secretKey);
    const tampered = { ...stored, entries: [{ account: 'client:alice', delta_micro: 6 }] };
    expect(blockDefect(block, GENESIS_PREV_HASH, [tampered], pinned)).toBe(
      `transaction ${tx_hash} does not match its hash`,
    );
    expect(blockDefect(block, leaf(1), [stored], pinned)).toBe('prev_hash does not match the previous block');
    expect(blockDefect({ ...block, merkle_root: leaf(2) }, GENESIS_PREV_HASH, [stored], pinned)).toBe(
      'merkle_root does not match the transactions',
    );
    expect(blockDefect({ ...block, timestamp: '2030-01-01T00:00:00.000Z' }, GENESIS_PREV_HASH, [stored], pinned)).toBe(
      'hash does not match the header',
    );
    const rehashed = { ...block, timestamp: '2030-01-01T00:00:00.000Z' };
    expect(blockDefect({ ...rehashed, hash: blockHash(rehashed) }, GENESIS_PREV_HASH, [stored], pinned)).toBe(
      'signature does not verify',
    );
    expect(blockDefect(block, GENESIS_PREV_HASH, [stored], new Map())).toBe(`signed by unknown key ${header.key_id}`);
    expect(blockDefect(block, GENESIS_PREV_HASH, [], pinned)).toBe('tx_count 1 but 0 transactions');
  });
});
