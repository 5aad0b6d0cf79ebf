import { Query } from '@nestjs/cqrs';
import type { SignedReceipt } from '../receipt';

export class GetJobReceiptQuery extends Query<SignedReceipt> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
