import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blocks sealed from the ledger's transactions (see apps/coordinator/src/ledger/chain.ts). The
 * primary key on height is the last word on concurrent sealers: a second block at the same height
 * fails its insert and rolls its whole seal back.
 */
export class CreateLedgerBlocks1763820000000 implements MigrationInterface {
  name = 'CreateLedgerBlocks1763820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE ledger_blocks (
  height      bigint PRIMARY KEY CHECK (height >= 1),
  hash        text NOT NULL UNIQUE,
  prev_hash   text NOT NULL,
  merkle_root text NOT NULL,
  tx_count    integer NOT NULL CHECK (tx_count >= 1),
  "timestamp" text NOT NULL,
  key_id      text NOT NULL,
  signature   text NOT NULL
);
ALTER TABLE ledger_transactions
  ADD CONSTRAINT ledger_transactions_block_fk FOREIGN KEY (block_height) REFERENCES ledger_blocks (height);
CREATE INDEX ledger_transactions_block_idx ON ledger_transactions (block_height, seq) WHERE block_height IS NOT NULL;
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP INDEX IF EXISTS ledger_transactions_block_idx;
ALTER TABLE ledger_transactions DROP CONSTRAINT IF EXISTS ledger_transactions_block_fk;
DROP TABLE IF EXISTS ledger_blocks;
`);
  }
}
