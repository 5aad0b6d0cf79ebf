import { Command } from '@nestjs/cqrs';
import type { AccountViewDto } from '@aitbc/contracts';

export class DepositCommand extends Command<AccountViewDto> {
  constructor(
    readonly accountId: string,
    readonly amountMicro: number,
  ) {
    super();
  }
}
