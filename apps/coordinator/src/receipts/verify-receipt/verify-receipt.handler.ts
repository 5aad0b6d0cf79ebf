import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { verifyReceipt, type ReceiptVerification } from '../receipt';
import { ReceiptKeysService } from '../receipt-keys.service';
import { VerifyReceiptQuery } from './verify-receipt.query';

@QueryHandler(VerifyReceiptQuery)
export class VerifyReceiptHandler implements IQueryHandler<VerifyReceiptQuery, ReceiptVerification> {
  constructor(private readonly keys: ReceiptKeysService) {}

  async execute({ receipt }: VerifyReceiptQuery): Promise<ReceiptVerification> {
    return verifyReceipt(receipt, await this.keys.trustedKeys());
  }
}
