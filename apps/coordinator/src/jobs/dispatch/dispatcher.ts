import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { PolledJobDto } from '@aitbc/contracts';
import { withTransaction } from '@aitbc/event-store';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { decideAssign } from '../job';
import { JobStore } from '../job-store';
import { MinerProfile, readMinerProfile } from './miner-profile';

/*
 * The oldest eligible job for this miner, matched in SQL. SKIP LOCKED lets concurrent polls (on any
 * coordinator) pass over a job another poll is assigning; an ineligible job at the head of the queue
 * never blocks an eligible one behind it.
 */
const PICK_SQL = `SELECT q.job_id FROM job_queue q
  WHERE q.models <@ $2::text[]
    AND q.services <@ $3::text[]
    AND (q.gpu IS NULL OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS g(name) WHERE strpos(g.name, q.gpu) > 0))
    AND (q.min_vram_mb IS NULL OR q.min_vram_mb <= $5)
    AND (q.min_cuda IS NULL OR q.min_cuda <= $6)
    AND (q.region IS NULL OR q.region = $7)
    AND (q.max_price_micro IS NULL OR q.max_price_micro >= $8)
    AND NOT ($1 = ANY (q.excluded_miners))
    AND q.expires_at > $9
    AND ($10::text IS NULL OR q.job_id = $10)
  ORDER BY q.priority DESC, q.requested_at, q.job_id
  LIMIT 1
  FOR UPDATE OF q SKIP LOCKED`;

export type DispatchOutcome =
  | { kind: 'assigned'; job: PolledJobDto }
  | { kind: 'none'; miner: MinerProfile }
  | { kind: 'unavailable' }
  | { kind: 'unregistered' };

@Injectable()
export class Dispatcher {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly jobs: JobStore,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * In one transaction: lock the miner's row (its polls run one at a time, so `concurrency` holds),
   * pick a job, append JobAssigned and write the lease. Two coordinators can never hand one job to
   * two miners: the job row is locked and its stream version is checked.
   */
  tryDispatch(minerId: string, onlyJobId: string | null = null): Promise<DispatchOutcome> {
    return withTransaction(this.pool, async (tx) => {
      const miner = await readMinerProfile(tx, minerId, true);
      if (!miner) {
        return { kind: 'unregistered' };
      }
      if (miner.status !== 'ONLINE' || miner.inflight >= miner.concurrency) {
        return { kind: 'unavailable' };
      }
      const now = this.clock.now();
      const { rows } = await tx.query<{ job_id: string }>(PICK_SQL, [
        miner.miner_id,
        miner.models,
        miner.services,
        miner.gpu_names,
        miner.max_vram_mb,
        miner.cuda,
        miner.region,
        miner.price_micro,
        now,
        onlyJobId,
      ]);
      if (rows.length === 0) {
        return { kind: 'none', miner };
      }
      const job = await this.assign(tx, rows[0].job_id, minerId, now);
      return job ? { kind: 'assigned', job } : { kind: 'none', miner };
    });
  }

  private async assign(tx: PoolClient, jobId: string, minerId: string, now: Date): Promise<PolledJobDto | null> {
    const assigned = await this.jobs.executeIn(tx, jobId, (state) => {
      const events = decideAssign(state, minerId, now, this.config.miners.leaseTtlSeconds);
      return { events, result: events.length > 0 ? events[0] : null };
    });
    if (!assigned || assigned.type !== 'JobAssigned') {
      return null;
    }
    const { rows } = await tx.query<{
      payload: Record<string, unknown>;
      constraints: Record<string, unknown>;
      timeout_seconds: number | null;
    }>('SELECT payload, constraints, timeout_seconds FROM job_views WHERE job_id = $1', [jobId]);
    return {
      job_id: jobId,
      payload: rows[0].payload,
      constraints: rows[0].constraints,
      attempt: assigned.data.attempt,
      lease_expires_at: assigned.data.lease_expires_at,
      timeout_seconds: rows[0].timeout_seconds,
    };
  }
}
