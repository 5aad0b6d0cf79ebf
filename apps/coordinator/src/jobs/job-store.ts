import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError, EventStore, NO_STREAM, Queryable, withTransaction } from '@aitbc/event-store';
import { PG_POOL } from '../database/database.module';
import { JOB_AVAILABLE_CHANNEL } from './dispatch/job-available';
import { evolveJob, initialJobState, JobState } from './job';
import { JobEvent, jobStreamId, NewJobEvent } from './job.events';
import { projectJobEvents } from './projections/job-view.projector';

const MAX_TRIES = 5;

export interface Decision<T> {
  events: NewJobEvent[];
  result: T;
}

/**
 * Runs job commands: in one transaction, fold the job's stream, decide, append at the version read,
 * and update the inline projections. A concurrent change to the same job makes the append fail;
 * the whole command is then run again on the new state (a few times, then the conflict surfaces).
 */
@Injectable()
export class JobStore {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

  load(db: Queryable, jobId: string): Promise<{ state: JobState; version: number }> {
    return this.store.aggregateStream<JobState, JobEvent>(db, jobStreamId(jobId), {
      initialState: initialJobState,
      evolve: evolveJob,
    });
  }

  async execute<T>(
    jobId: string,
    decide: (state: JobState, tx: PoolClient) => Decision<T> | Promise<Decision<T>>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.pool, (tx) => this.executeIn(tx, jobId, decide));
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_TRIES) {
          throw error;
        }
      }
    }
  }

  /** The same, inside a transaction the caller owns (dispatch locks the job row first). */
  async executeIn<T>(
    tx: PoolClient,
    jobId: string,
    decide: (state: JobState, tx: PoolClient) => Decision<T> | Promise<Decision<T>>,
  ): Promise<T> {
    const { state, version } = await this.load(tx, jobId);
    const { events, result } = await decide(state, tx);
    if (events.length > 0) {
      await this.store.append(tx, jobStreamId(jobId), events, {
        expectedVersion: version === 0 ? NO_STREAM : version,
      });
      await projectJobEvents(tx, jobId, events);
      const available = events.find((event) => event.type === 'JobSubmitted' || event.type === 'JobRequeued');
      if (available) {
        // delivered on commit to every coordinator: wakes long-polling miners that could run it
        const requirements = available.type === 'JobSubmitted' ? available.data.requirements : state.requirements;
        await tx.query('SELECT pg_notify($1, $2)', [JOB_AVAILABLE_CHANNEL, JSON.stringify(requirements)]);
      }
    }
    return result;
  }
}
