import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the jobs and miners modules. `job_views`, `job_queue` and `job_leases` are inline
 * projections (written in the command's transaction); `miner_stats` is an async projection.
 */
export class CreateJobAndMinerReadModels1763790000000 implements MigrationInterface {
  name = 'CreateJobAndMinerReadModels1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE job_views (
  job_id               text PRIMARY KEY,
  client_id            text NOT NULL,
  state                text NOT NULL,
  payload              jsonb NOT NULL,
  constraints          jsonb NOT NULL,
  requirements         jsonb NOT NULL,
  result               jsonb,
  metrics              jsonb,
  error                jsonb,
  assigned_miner_id    text,
  attempts             integer NOT NULL DEFAULT 0,
  max_attempts         integer NOT NULL,
  priority             integer NOT NULL,
  ttl_seconds          integer NOT NULL,
  timeout_seconds      integer,
  payment_amount_micro bigint,
  payment_currency     text NOT NULL,
  webhook_url          text,
  requested_at         timestamptz NOT NULL,
  expires_at           timestamptz NOT NULL,
  started_at           timestamptz,
  completed_at         timestamptz,
  updated_at           timestamptz NOT NULL,
  receipt_id           text,
  payment_id           text,
  payment_status       text
);
CREATE INDEX job_views_client_idx ON job_views (client_id, requested_at DESC, job_id DESC);
CREATE INDEX job_views_state_idx ON job_views (state, requested_at DESC, job_id DESC);
CREATE INDEX job_views_requested_idx ON job_views (requested_at DESC, job_id DESC);

-- queued jobs waiting for a miner: the dispatch queue
CREATE TABLE job_queue (
  job_id          text PRIMARY KEY,
  priority        integer NOT NULL,
  requested_at    timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  models          text[] NOT NULL,
  services        text[] NOT NULL,
  gpu             text,
  min_vram_mb     integer,
  min_cuda        integer,
  region          text,
  max_price_micro bigint,
  excluded_miners text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX job_queue_order_idx ON job_queue (priority DESC, requested_at, job_id);
CREATE INDEX job_queue_expiry_idx ON job_queue (expires_at);

-- running jobs: who holds each, until when
CREATE TABLE job_leases (
  job_id           text PRIMARY KEY,
  miner_id         text NOT NULL,
  attempt          integer NOT NULL,
  assigned_at      timestamptz NOT NULL,
  lease_expires_at timestamptz NOT NULL,
  timeout_at       timestamptz
);
CREATE INDEX job_leases_miner_idx ON job_leases (miner_id);
CREATE INDEX job_leases_expiry_idx ON job_leases (lease_expires_at);
CREATE INDEX job_leases_timeout_idx ON job_leases (timeout_at) WHERE timeout_at IS NOT NULL;

CREATE TABLE miners (
  miner_id           text PRIMARY KEY,
  owner_id           text NOT NULL,
  status             text NOT NULL,
  capabilities       jsonb NOT NULL,
  gpu_names          text[] NOT NULL,
  max_vram_mb        integer,
  cuda               integer,
  models             text[] NOT NULL,
  services           text[] NOT NULL,
  price_micro        bigint NOT NULL,
  region             text,
  endpoint           text,
  concurrency        integer NOT NULL CHECK (concurrency BETWEEN 1 AND 64),
  reported_inflight  integer,
  metadata           jsonb,
  session_token_hash text NOT NULL,
  registered_at      timestamptz NOT NULL,
  last_heartbeat     timestamptz NOT NULL
);

-- cancellations of running jobs, handed to the miner in its next heartbeat reply
CREATE TABLE miner_cancellations (
  miner_id   text NOT NULL,
  job_id     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (miner_id, job_id)
);

CREATE TABLE idempotency_keys (
  client_id    text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  job_id       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, key)
);

CREATE TABLE miner_stats (
  miner_id          text PRIMARY KEY,
  jobs_completed    integer NOT NULL DEFAULT 0,
  jobs_failed       integer NOT NULL DEFAULT 0,
  total_duration_ms bigint NOT NULL DEFAULT 0,
  last_receipt_id   text,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP TABLE IF EXISTS miner_stats, idempotency_keys, miner_cancellations, miners, job_leases, job_queue, job_views',
    );
  }
}
