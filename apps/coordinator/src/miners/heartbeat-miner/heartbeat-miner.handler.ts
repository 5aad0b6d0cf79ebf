import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { HeartbeatDto, HeartbeatResponseDto } from '@aitbc/contracts';
import type { Queryable } from '@aitbc/event-store';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { decideStatus } from '../miner';
import { MinerNotRegisteredError } from '../miner.errors';
import { MinerStore } from '../miner-store';
import { HeartbeatMinerCommand } from './heartbeat-miner.command';

/**
 * One statement: note the beat, extend the leases of the miner's running jobs and hand over (once)
 * the cancellations waiting for it. No row back means the miner never registered.
 */
const HEARTBEAT_SQL = `
WITH beat AS (
  UPDATE miners SET last_heartbeat = $2, reported_inflight = coalesce($3, reported_inflight),
                    metadata = coalesce($4::jsonb, metadata)
  WHERE miner_id = $1
  RETURNING miner_id
), leases AS (
  UPDATE job_leases SET lease_expires_at = $5 WHERE miner_id IN (SELECT miner_id FROM beat)
), canceled AS (
  DELETE FROM miner_cancellations WHERE miner_id IN (SELECT miner_id FROM beat) RETURNING job_id
)
SELECT coalesce(array_agg(canceled.job_id ORDER BY canceled.job_id) FILTER (WHERE canceled.job_id IS NOT NULL),
                '{}') AS cancel_job_ids
FROM beat LEFT JOIN canceled ON true
GROUP BY beat.miner_id`;

/**
 * Heartbeats are the hottest write (thousands of miners every few seconds), so they are not events:
 * they touch the read model only. A change of declared status is an event, recorded in the same
 * transaction as the beat.
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
    const status = beat.status;
    if (status === undefined) {
      return this.record(this.pool, minerId, beat, now);
    }
    return this.miners.execute(minerId, async (state, tx) => {
      const reply = await this.record(tx, minerId, beat, now);
      return { events: decideStatus(state, status, now), result: reply };
    });
  }

  private async record(db: Queryable, minerId: string, beat: HeartbeatDto, now: Date): Promise<HeartbeatResponseDto> {
    const leaseExpiresAt = new Date(now.getTime() + this.config.miners.leaseTtlSeconds * 1000);
    const { rows } = await db.query<{ cancel_job_ids: string[] }>(HEARTBEAT_SQL, [
      minerId,
      now,
      beat.inflight ?? null,
      beat.metadata === undefined ? null : JSON.stringify(beat.metadata),
      leaseExpiresAt,
    ]);
    if (rows.length === 0) {
      throw new MinerNotRegisteredError();
    }
    return { status: 'ok', cancel_job_ids: rows[0].cancel_job_ids };
  }
}
