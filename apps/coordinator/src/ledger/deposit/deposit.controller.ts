import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountViewDto, DepositDto, toMicro } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import { DepositCommand } from './deposit.command';

@ApiTags('ledger')
@ApiSecurity('api-key')
@Roles('admin')
@Controller('admin/accounts')
export class DepositController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':account_id/deposit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Credit a client or miner account (client:<id>, miner:<id>) with AITBC' })
  @ApiOkResponse({ type: AccountViewDto })
  @ApiErrors(401, 403, 404, 422)
  deposit(@Param('account_id') accountId: string, @Body() body: DepositDto): Promise<AccountViewDto> {
    return this.commands.execute(new DepositCommand(accountId, toMicro(body.amount)));
  }
}
