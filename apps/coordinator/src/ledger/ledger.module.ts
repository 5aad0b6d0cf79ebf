import { Module } from '@nestjs/common';
import { DepositController } from './deposit/deposit.controller';
import { DepositHandler } from './deposit/deposit.handler';
import { GetAccountController } from './get-account/get-account.controller';
import { GetAccountHandler } from './get-account/get-account.handler';
import { GetJobPaymentController } from './get-job-payment/get-job-payment.controller';
import { GetJobPaymentHandler } from './get-job-payment/get-job-payment.handler';
import { AccountCommands } from './ledger-store';

@Module({
  controllers: [DepositController, GetAccountController, GetJobPaymentController],
  providers: [AccountCommands, DepositHandler, GetAccountHandler, GetJobPaymentHandler],
})
export class LedgerModule {}
