import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { JobViewDto } from '@aitbc/contracts';
import { CLOCK, type Clock } from '../../clock';
import { PG_POOL } from '../../database/database.module';
import { decideCancel } from '../job';
import { JobNotFoundError } from '../job.errors';
import { JobStore } from '../job-store';
import { toJobView } from '../job-view';
import { readOwnJob } from '../job-views.repository';
import { CancelJobCommand } from './cancel-job.command';

/**
 * Cancels a queued or running job. A running job's lease is dropped (freeing the miner's slot) and
 * the miner learns of it from its next heartbeat reply.
 */
@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand, JobViewDto> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly jobs: JobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jobId, clientId }: CancelJobCommand): Promise<JobViewDto> {
    await readOwnJob(this.pool, jobId, clientId);
    await this.jobs.execute(jobId, (state) => {
      if (state.clientId !== clientId) {
        throw new JobNotFoundError();
      }
      return { events: decideCancel(state, clientId, this.clock.now()), result: null };
    });
    return toJobView(await readOwnJob(this.pool, jobId, clientId), true);
  }
}
