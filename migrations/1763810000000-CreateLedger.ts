import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's read models, projected inline from the ledger events. The CHECK on balances is what
 * makes an overdraft impossible even when two holds on one account race: the second one's UPDATE
 * waits for the first, then fails the CHECK and rolls its whole command back.
 */
export class CreateLedger1763810000000 implements MigrationInterface {
  name = 'CreateLedger1763810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE ledger_accounts (
  account_id    text PRIMARY KEY,
  balance_micro bigint NOT NULL CHECK (balance_micro >= 0),
  updated_at    timestamptz NOT NULL
);

CREATE TABLE ledger_transactions (
  tx_hash      text PRIMARY KEY,
  seq          bigserial UNIQUE,
  kind         text NOT NULL CHECK (kind IN ('deposit', 'hold', 'capture', 'refund')),
  job_id       text,
  body         jsonb NOT NULL,
  entries      jsonb NOT NULL,
  created_at   timestamptz NOT NULL,
  -- set by the block sealer
  block_height bigint
);
-- a job is held at most once and released (captured or refunded) at most once
CREATE UNIQUE INDEX ledger_transactions_one_hold_idx ON ledger_transactions (job_id) WHERE kind = 'hold';
CREATE UNIQUE INDEX ledger_transactions_one_release_idx ON ledger_transactions (job_id)
  WHERE kind IN ('capture', 'refund');
CREATE INDEX ledger_transactions_unsealed_idx ON ledger_transactions (seq) WHERE block_height IS NULL;

CREATE TABLE ledger_escrows (
  job_id             text PRIMARY KEY,
  client_id          text NOT NULL,
  amount_micro       bigint NOT NULL CHECK (amount_micro > 0),
  status             text NOT NULL CHECK (status IN ('held', 'captured', 'refunded')),
  miner_id           text,
  captured_micro     bigint NOT NULL DEFAULT 0 CHECK (captured_micro >= 0),
  refunded_micro     bigint NOT NULL DEFAULT 0 CHECK (refunded_micro >= 0),
  hold_tx_hash       text NOT NULL,
  settlement_tx_hash text,
  updated_at         timestamptz NOT NULL,
  CHECK (captured_micro + refunded_micro <= amount_micro)
);
CREATE INDEX ledger_escrows_held_idx ON ledger_escrows (client_id) WHERE status = 'held';
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS ledger_escrows, ledger_transactions, ledger_accounts');
  }
}
