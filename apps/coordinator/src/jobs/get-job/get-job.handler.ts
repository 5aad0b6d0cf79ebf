import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { JobViewDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import { toJobView } from '../job-view';
import { readOwnJob } from '../job-views.repository';
import { GetJobQuery } from './get-job.query';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery, JobViewDto> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ jobId, clientId }: GetJobQuery): Promise<JobViewDto> {
    return toJobView(await readOwnJob(this.pool, jobId, clientId), true);
  }
}
