import { Module } from '@nestjs/common';
import { ReceiptsModule } from '../receipts/receipts.module';
import { DepositController } from './deposit/deposit.controller';
import { DepositHandler } from './deposit/deposit.handler';
import { ExplorerController } from './explorer/explorer.controller';
import { EXPLORER_HANDLERS } from './explorer/explorer.handlers';
import { GetAccountController } from './get-account/get-account.controller';
import { GetAccountHandler } from './get-account/get-account.handler';
import { GetJobPaymentController } from './get-job-payment/get-job-payment.controller';
import { GetJobPaymentHandler } from './get-job-payment/get-job-payment.handler';
import { AccountCommands } from './ledger-store';
import { SEAL_BLOCKS_PROVIDERS } from './seal-blocks/seal-blocks.providers';
import { VerifyChainController } from './verify-chain/verify-chain.controller';
import { VerifyChainHandler } from './verify-chain/verify-chain.handler';

@Module({
  imports: [ReceiptsModule],
  controllers: [
    DepositController,
    GetAccountController,
    GetJobPaymentController,
    ExplorerController,
    VerifyChainController,
  ],
  providers: [
    AccountCommands,
    DepositHandler,
    GetAccountHandler,
    GetJobPaymentHandler,
    ...EXPLORER_HANDLERS,
    VerifyChainHandler,
    ...SEAL_BLOCKS_PROVIDERS,
  ],
})
export class LedgerModule {}
