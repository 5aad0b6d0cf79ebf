import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipt keys and signed receipts. A generated key is kept with its seed so every coordinator of a
 * deployment signs with the same one; a configured key is recorded without its seed (the environment
 * holds it) so receipts it signed still verify after it is rotated out.
 */
export class CreateReceipts1763800000000 implements MigrationInterface {
  name = 'CreateReceipts1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE receipt_keys (
  key_id          text PRIMARY KEY,
  purpose         text NOT NULL CHECK (purpose IN ('signing', 'attestation')),
  source          text NOT NULL CHECK (source IN ('generated', 'configured')),
  public_key      text NOT NULL,
  secret_seed_hex text,
  created_at      timestamptz NOT NULL,
  CHECK ((source = 'generated') = (secret_seed_hex IS NOT NULL))
);
-- coordinators booting together without a configured key must end up with one generated key
CREATE UNIQUE INDEX receipt_keys_one_generated_idx ON receipt_keys (purpose) WHERE source = 'generated';

CREATE TABLE receipts (
  receipt_id text PRIMARY KEY,
  job_id     text NOT NULL,
  attempt    integer NOT NULL,
  client_id  text NOT NULL,
  provider   text NOT NULL,
  body       jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  -- one receipt per completed attempt; also the index the per-job reads use
  UNIQUE (job_id, attempt)
);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS receipts, receipt_keys');
  }
}
