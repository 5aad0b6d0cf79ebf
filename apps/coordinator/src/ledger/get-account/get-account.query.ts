import { Query } from '@nestjs/cqrs';
import type { AccountViewDto } from '@aitbc/contracts';
import type { Principal } from '../../http/auth/principal';

export class GetAccountQuery extends Query<AccountViewDto> {
  constructor(
    readonly accountId: string,
    readonly caller: Principal,
  ) {
    super();
  }
}
