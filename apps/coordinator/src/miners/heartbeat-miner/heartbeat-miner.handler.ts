import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { HeartbeatDto, HeartbeatResponseDto } from '@aitbc/contracts';
import type { Queryable } from '@aitbc/event-store';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { decideStatus, type MinerStatus } from '../miner';
import { MinerNotRegisteredError } from '../miner.errors';
import { MinerStore } from '../miner-store';
import { HeartbeatMinerCommand } from './heartbeat-miner.command';

/**
 * One statement: note the beat, extend the leases of the miner's running jobs (only those it names in
 * `job_ids`, when it names them: a restarted daemon must not keep alive a lease it knows nothing of)
 * and hand over (once)
 * the cancellations waiting for it. With `$6`, only if the miner's status is `$6`: otherwise nothing
 * changes and `beaten` is false. No row back means the miner never registered.
 */
const HEARTBEAT_SQL = `
WITH miner AS (
  SELECT miner_id FROM miners WHERE miner_id = $1
), beat AS (
  UPDATE miners SET last_heartbeat = $2, reported_inflight = coalesce($3, reported_inflight),
                    metadata = coalesce($4::jsonb, metadata)
  WHERE miner_id = $1 AND ($6::text IS NULL OR status = $6)
  RETURNING miner_id
), leases AS (
  UPDATE job_leases SET lease_expires_at = $5
  WHERE miner_id IN (SELECT miner_id FROM beat) AND ($7::text[] IS NULL OR job_id = ANY ($7::text[]))
), canceled AS (
  DELETE FROM miner_cancellations WHERE miner_id IN (SELECT miner_id FROM beat) RETURNING job_id
)
SELECT EXISTS (SELECT 1 FROM beat) AS beaten,
       coalesce((SELECT array_agg(job_id ORDER BY job_id) FROM canceled), '{}') AS cancel_job_ids
FROM miner`;

/**
 * Heartbeats are the hottest write (thousands of miners every few seconds), so they are not events:
 * they touch the read model only, in one round trip. Only a change of declared status is an event;
 * then the beat is recorded in the same transaction as the event.
 */
@CommandHandler(HeartbeatMinerCommand)
export class HeartbeatMinerHandler implements ICommandHandler<HeartbeatMinerCommand, HeartbeatResponseDto> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly miners: MinerStore,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ minerId, beat }: HeartbeatMinerCommand): Promise<HeartbeatResponseDto> {
    const now = this.clock.now();
    // IsOptional lets an explicit null through: it declares nothing, like an absent field
    const status = beat.status ?? null;
    if (status === null) {
      return this.record(this.pool, minerId, beat, now, null);
    }
    const unchanged = await this.record(this.pool, minerId, beat, now, status);
    if (unchanged) {
      return unchanged;
    }
    return this.miners.execute(minerId, async (state, tx) => {
      const reply = await this.record(tx, minerId, beat, now, null);
      return { events: decideStatus(state, status, now), result: reply };
    });
  }

  /** The reply; with `onlyIf`, null when the miner's status is another (and nothing was written). */
  private record(
    db: Queryable,
    minerId: string,
    beat: HeartbeatDto,
    now: Date,
    onlyIf: null,
  ): Promise<HeartbeatResponseDto>;
  private record(
    db: Queryable,
    minerId: string,
    beat: HeartbeatDto,
    now: Date,
    onlyIf: MinerStatus,
  ): Promise<HeartbeatResponseDto | null>;
  private async record(
    db: Queryable,
    minerId: string,
    beat: HeartbeatDto,
    now: Date,
    onlyIf: MinerStatus | null,
  ): Promise<HeartbeatResponseDto | null> {
    const leaseExpiresAt = new Date(now.getTime() + this.config.miners.leaseTtlSeconds * 1000);
    const { rows } = await db.query<{ beaten: boolean; cancel_job_ids: string[] }>(HEARTBEAT_SQL, [
      minerId,
      now,
      beat.inflight ?? null,
      beat.metadata == null ? null : JSON.stringify(beat.metadata),
      leaseExpiresAt,
      onlyIf,
      beat.job_ids ?? null,
    ]);
    if (rows.length === 0) {
      throw new MinerNotRegisteredError();
    }
    return rows[0].beaten ? { status: 'ok', cancel_job_ids: rows[0].cancel_job_ids } : null;
  }
}
