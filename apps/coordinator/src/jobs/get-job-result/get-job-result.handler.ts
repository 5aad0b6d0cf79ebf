import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { JobResultDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import { ReceiptNotAvailableError } from '../../receipts/receipt.errors';
import { readOwnJobReceipts } from '../../receipts/receipts.repository';
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
    const receipts = await readOwnJobReceipts(this.pool, jobId, clientId).catch((error: unknown) => {
      if (error instanceof ReceiptNotAvailableError) {
        return [];
      }
      throw error;
    });
    const receipt = receipts.length > 0 ? receipts[receipts.length - 1] : null;
    return {
      state: job.state,
      result: job.result,
      receipt: receipt as unknown as Record<string, unknown> | null,
      error: job.error,
    };
  }
}
