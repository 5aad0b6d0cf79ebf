import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { JobResultDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import { JobNotReadyError } from '../job.errors';
import { readOwnJob } from '../job-views.repository';
import { GetJobResultQuery } from './get-job-result.query';

@QueryHandler(GetJobResultQuery)
export class GetJobResultHandler implements IQueryHandler<GetJobResultQuery, JobResultDto> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ jobId, clientId }: GetJobResultQuery): Promise<JobResultDto> {
    const job = await readOwnJob(this.pool, jobId, clientId);
    if (job.state === 'QUEUED' || job.state === 'RUNNING') {
      throw new JobNotReadyError();
    }
    // receipts are attached here once the receipts module signs them
    return { state: job.state, result: job.result, receipt: null, error: job.error };
  }
}
