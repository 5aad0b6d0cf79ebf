import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import type { SignedReceipt } from '../receipt';
import { readOwnJobReceipts } from '../receipts.repository';
import { ListJobReceiptsQuery } from './list-job-receipts.query';

@QueryHandler(ListJobReceiptsQuery)
export class ListJobReceiptsHandler implements IQueryHandler<ListJobReceiptsQuery, { items: SignedReceipt[] }> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ jobId, clientId }: ListJobReceiptsQuery): Promise<{ items: SignedReceipt[] }> {
    return { items: await readOwnJobReceipts(this.pool, jobId, clientId) };
  }
}
