import { Query } from '@nestjs/cqrs';
import type { ReceiptVerification, SignedReceipt } from '../receipt';

export class VerifyReceiptQuery extends Query<ReceiptVerification> {
  constructor(readonly receipt: SignedReceipt) {
    super();
  }
}
