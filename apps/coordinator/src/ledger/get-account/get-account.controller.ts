import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountViewDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { GetAccountQuery } from './get-account.query';

@ApiTags('ledger')
@ApiSecurity('api-key')
@Roles('client', 'miner', 'admin')
@Controller('ledger/accounts')
export class GetAccountController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':account_id')
  @ApiOperation({ summary: 'An account’s balance: your own (client:<id>, miner:<miner id>), or any for an admin' })
  @ApiOkResponse({ type: AccountViewDto })
  @ApiErrors(401, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('account_id') accountId: string): Promise<AccountViewDto> {
    return this.queries.execute(new GetAccountQuery(accountId, principal));
  }
}
