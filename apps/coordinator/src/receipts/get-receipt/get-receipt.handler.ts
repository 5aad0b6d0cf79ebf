import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import type { SignedReceipt } from '../receipt';
import { readOwnReceipt } from '../receipts.repository';
import { GetReceiptQuery } from './get-receipt.query';

@QueryHandler(GetReceiptQuery)
export class GetReceiptHandler implements IQueryHandler<GetReceiptQuery, SignedReceipt> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ receiptId, clientId }: GetReceiptQuery): Promise<SignedReceipt> {
    return readOwnReceipt(this.pool, receiptId, clientId);
  }
}
