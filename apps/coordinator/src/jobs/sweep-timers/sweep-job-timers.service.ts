import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { CLOCK, type Clock } from '../../clock';
import { PG_POOL } from '../../database/database.module';
import { decideExpire, decideLeaseLost, decideTimeout, JobState } from '../job';
import type { NewJobEvent } from '../job.events';
import { JobStore } from '../job-store';

/**
 * Advisory lock (class, key) held for a whole sweep, e.g. `SELECT pid FROM pg_locks WHERE classid = …`
 * shows who is sweeping. The class differs from the projection runners'.
 */
export const SWEEP_LOCK = { classId: 0x4a_54_4d_52 /* "JTMR" */, key: 1 } as const;
const BATCH_SIZE = 500;
const ERRORS_LOGGED_PER_RUN = 10;

export interface SweepResult {
  expired: number;
  requeued: number;
  failed: number;
  /** jobs whose rule threw; logged, and tried again on the next run */
  errors: number;
}

interface LeaseRow {
  job_id: string;
  miner_id: string;
  attempt: number;
}

/**
 * A time-based rule: which jobs are due (`$1` now, `$2` ids to skip, `$3` batch size) and what the
 * rule decides for one of them. The decision re-checks the job's state, so a job that moved on
 * since the row was read gets no event.
 */
interface Timer<Row extends { job_id: string }> {
  name: string;
  due: string;
  decide(state: JobState, row: Row, now: Date): NewJobEvent[];
}

const QUEUE_TTL: Timer<{ job_id: string }> = {
  name: 'queue TTL',
  due: `SELECT job_id FROM job_queue
        WHERE expires_at <= $1 AND job_id <> ALL($2::text[]) ORDER BY expires_at LIMIT $3`,
  decide: (state, _row, now) => decideExpire(state, now),
};

const LEASE: Timer<LeaseRow> = {
  name: 'lease expiry',
  due: `SELECT job_id, miner_id, attempt FROM job_leases
        WHERE lease_expires_at <= $1 AND job_id <> ALL($2::text[]) ORDER BY lease_expires_at LIMIT $3`,
  decide: (state, row, now) => decideLeaseLost(state, row.miner_id, row.attempt, now),
};

const RUN_TIMEOUT: Timer<LeaseRow> = {
  name: 'run timeout',
  due: `SELECT job_id, miner_id, attempt FROM job_leases
        WHERE timeout_at <= $1 AND job_id <> ALL($2::text[]) ORDER BY timeout_at LIMIT $3`,
  decide: (state, row, now) => decideTimeout(state, row.attempt, now),
};

const COUNTED_AS: Partial<Record<NewJobEvent['type'], keyof SweepResult>> = {
  JobExpired: 'expired',
  JobRequeued: 'requeued',
  JobFailed: 'failed',
};

/**
 * Applies the time-based job rules as of one instant: queue TTL first, then lost leases, then run
 * timeouts (a job whose lease and timeout both passed is handled once, as a lost lease). Each job is
 * its own `JobStore` command, so one failing job is logged and the others are still swept.
 */
@Injectable()
export class SweepJobTimers {
  private readonly logger = new Logger('job-timers');
  private stopping = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly jobs: JobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One sweep, or `null` when another coordinator is sweeping. BullMQ runs each scheduled iteration
   * once, but schedules the next one as soon as the current one starts, so a slow sweep could
   * otherwise overlap the next on another coordinator; the advisory lock keeps sweeps one at a time.
   */
  async run(batchSize = BATCH_SIZE): Promise<SweepResult | null> {
    if (this.stopping) {
      return null;
    }
    const client = await this.pool.connect();
    let reusable = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::int, $2::int) AS locked',
        [SWEEP_LOCK.classId, SWEEP_LOCK.key],
      );
      if (!rows[0].locked) {
        reusable = true;
        return null;
      }
      try {
        return await this.sweep(client, this.clock.now(), batchSize);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [SWEEP_LOCK.classId, SWEEP_LOCK.key]);
        reusable = true;
      }
    } finally {
      // destroying a connection that could not unlock also drops its lock
      client.release(reusable ? undefined : true);
    }
  }

  /** Ends a sweep in progress after its current job (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  private async sweep(db: PoolClient, now: Date, batchSize: number): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, requeued: 0, failed: 0, errors: 0 };
    await this.sweepDue(db, QUEUE_TTL, now, batchSize, result);
    await this.sweepDue(db, LEASE, now, batchSize, result);
    await this.sweepDue(db, RUN_TIMEOUT, now, batchSize, result);
    if (result.errors > ERRORS_LOGGED_PER_RUN) {
      this.logger.error(`${result.errors - ERRORS_LOGGED_PER_RUN} more jobs could not be swept in this run`);
    }
    if (result.expired + result.requeued + result.failed > 0) {
      this.logger.log(`job timers: ${result.expired} expired, ${result.requeued} requeued, ${result.failed} failed`);
    }
    return result;
  }

  private async sweepDue<Row extends { job_id: string }>(
    db: PoolClient,
    timer: Timer<Row>,
    now: Date,
    batchSize: number,
    result: SweepResult,
  ): Promise<void> {
    // A job the rule changed leaves the table in the same transaction; one it left alone (or that
    // failed) stays, and is skipped for the rest of this run so the loop always ends.
    const skipped: string[] = [];
    for (;;) {
      const { rows } = await db.query<Row>(timer.due, [now, skipped, batchSize]);
      for (const row of rows) {
        if (this.stopping) {
          return;
        }
        if (!(await this.apply(timer, row, now, result))) {
          skipped.push(row.job_id);
        }
      }
      if (rows.length < batchSize) {
        return;
      }
    }
  }

  private async apply<Row extends { job_id: string }>(
    timer: Timer<Row>,
    row: Row,
    now: Date,
    result: SweepResult,
  ): Promise<boolean> {
    try {
      const outcome = await this.jobs.execute(row.job_id, (state) => {
        const events = timer.decide(state, row, now);
        return { events, result: events.length > 0 ? events[0].type : null };
      });
      const counter = outcome ? COUNTED_AS[outcome] : undefined;
      if (counter) {
        result[counter]++;
      }
      return outcome !== null;
    } catch (error) {
      result.errors++;
      if (result.errors <= ERRORS_LOGGED_PER_RUN) {
        const err = error instanceof Error ? error : new Error(String(error));
        this.logger.error(`${timer.name} of job ${row.job_id} failed: ${err.message}`, err.stack);
      }
      return false;
    }
  }
}
