import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegisterMinerDto, RegisterMinerResponseDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { ApiMinerAuth, CurrentMinerId } from '../current-miner.decorator';
import { RegisterMinerCommand } from './register-miner.command';

@ApiTags('miners')
@ApiMinerAuth()
@Roles('miner')
@Controller('miners')
export class RegisterMinerController {
  constructor(private readonly commands: CommandBus) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Register this miner (again)',
    description: 'An upsert: a restarted daemon registers again with its current capabilities and goes ONLINE.',
  })
  @ApiOkResponse({ type: RegisterMinerResponseDto })
  @ApiErrors(401, 403, 422)
  register(
    @CurrentPrincipal() principal: Principal,
    @CurrentMinerId() minerId: string,
    @Body() body: RegisterMinerDto,
  ): Promise<RegisterMinerResponseDto> {
    return this.commands.execute(new RegisterMinerCommand(principal.id, minerId, body));
  }
}
