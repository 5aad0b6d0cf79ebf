import { Query } from '@nestjs/cqrs';
import type { SignedReceipt } from '../receipt';

export class GetReceiptQuery extends Query<SignedReceipt> {
  constructor(
    readonly receiptId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
