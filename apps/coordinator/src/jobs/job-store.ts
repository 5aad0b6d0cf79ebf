import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { AggregateCommands, EventStore } from '@aitbc/event-store';
import { PG_POOL } from '../database/database.module';
import { settleJobEvents } from '../ledger/settlement';
import { announceJobAvailable } from './dispatch/job-available';
import { evolveJob, initialJobState, JobState } from './job';
import { JobEvent, jobStreamId, NewJobEvent } from './job.events';
import { projectJobEvents } from './projections/job-view.projector';

export type { Decision } from '@aitbc/event-store';

async function projectJob(tx: PoolClient, jobId: string, events: readonly NewJobEvent[], before: JobState) {
  await projectJobEvents(tx, jobId, events);
  // escrow moves with the job, in the same transaction: held at submit, refunded when it ends unpaid
  await settleJobEvents(tx, jobId, events, before);
  if (events.some((event) => event.type === 'JobRequeued')) {
    // delivered on commit to every coordinator; requeues are rare, so inside the transaction is fine
    // (submits, the hot path, announce after their commit instead: see SubmitJobHandler)
    await announceJobAvailable(tx, before.requirements);
  }
}

/** Job commands: fold, decide, append, project the job view, queue and leases — one transaction. */
@Injectable()
export class JobStore extends AggregateCommands<JobState, JobEvent, NewJobEvent> {
  constructor(@Inject(PG_POOL) pool: Pool, store: EventStore) {
    super(pool, store, {
      streamId: jobStreamId,
      initialState: initialJobState,
      evolve: evolveJob,
      project: projectJob,
    });
  }
}
