import { Query } from '@nestjs/cqrs';
import type { SignedReceipt } from '../receipt';

export class ListJobReceiptsQuery extends Query<{ items: SignedReceipt[] }> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
