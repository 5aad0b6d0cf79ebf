import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import type { SignedReceipt } from '../receipt';
import { readOwnJobReceipts } from '../receipts.repository';
import { GetJobReceiptQuery } from './get-job-receipt.query';

@QueryHandler(GetJobReceiptQuery)
export class GetJobReceiptHandler implements IQueryHandler<GetJobReceiptQuery, SignedReceipt> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ jobId, clientId }: GetJobReceiptQuery): Promise<SignedReceipt> {
    const receipts = await readOwnJobReceipts(this.pool, jobId, clientId);
    return receipts[receipts.length - 1];
  }
}
