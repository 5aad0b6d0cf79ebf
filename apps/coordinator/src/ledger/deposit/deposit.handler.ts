import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { AccountViewDto } from '@aitbc/contracts';
import { CLOCK, type Clock } from '../../clock';
import { PG_POOL } from '../../database/database.module';
import { decideDeposit, DEPOSIT_ACCOUNT } from '../ledger';
import { AccountNotFoundError } from '../ledger.errors';
import { readAccount } from '../ledger.repository';
import { AccountCommands } from '../ledger-store';
import { DepositCommand } from './deposit.command';

/** An admin credits a client or miner account with new money (escrow moves only through holds). */
@CommandHandler(DepositCommand)
export class DepositHandler implements ICommandHandler<DepositCommand, AccountViewDto> {
  constructor(
    private readonly accounts: AccountCommands,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ accountId, amountMicro }: DepositCommand): Promise<AccountViewDto> {
    if (!DEPOSIT_ACCOUNT.test(accountId)) {
      throw new AccountNotFoundError();
    }
    await this.accounts.execute(accountId, (state) => ({
      events: decideDeposit(state, accountId, amountMicro, this.clock.now()),
      result: null,
    }));
    return (await readAccount(this.pool, accountId))!;
  }
}
