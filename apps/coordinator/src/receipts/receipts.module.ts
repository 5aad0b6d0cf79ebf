import { Module } from '@nestjs/common';
import { GetJobReceiptController } from './get-job-receipt/get-job-receipt.controller';
import { GetJobReceiptHandler } from './get-job-receipt/get-job-receipt.handler';
import { GetReceiptController } from './get-receipt/get-receipt.controller';
import { GetReceiptHandler } from './get-receipt/get-receipt.handler';
import { GetReceiptKeysController } from './get-receipt-keys/get-receipt-keys.controller';
import { GetReceiptKeysHandler } from './get-receipt-keys/get-receipt-keys.handler';
import { ListJobReceiptsController } from './list-job-receipts/list-job-receipts.controller';
import { ListJobReceiptsHandler } from './list-job-receipts/list-job-receipts.handler';
import { ReceiptIssuer } from './receipt-issuer';
import { ReceiptKeysService } from './receipt-keys.service';
import { VerifyReceiptController } from './verify-receipt/verify-receipt.controller';
import { VerifyReceiptHandler } from './verify-receipt/verify-receipt.handler';

@Module({
  controllers: [
    GetReceiptKeysController,
    VerifyReceiptController,
    GetReceiptController,
    GetJobReceiptController,
    ListJobReceiptsController,
  ],
  providers: [
    ReceiptKeysService,
    ReceiptIssuer,
    GetReceiptKeysHandler,
    VerifyReceiptHandler,
    GetReceiptHandler,
    GetJobReceiptHandler,
    ListJobReceiptsHandler,
  ],
  exports: [ReceiptIssuer, ReceiptKeysService],
})
export class ReceiptsModule {}
