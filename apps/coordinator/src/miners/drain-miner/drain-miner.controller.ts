import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OkDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import { ApiMinerAuth, CurrentMinerId } from '../current-miner.decorator';
import { DrainMinerCommand } from './drain-miner.command';

@ApiTags('miners')
@ApiMinerAuth()
@Roles('miner')
@Controller('miners')
export class DrainMinerController {
  constructor(private readonly commands: CommandBus) {}

  @Post('drain')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Drain this miner',
    description: 'The miner finishes its running jobs and gets no new ones until it heartbeats `status: ONLINE`.',
  })
  @ApiOkResponse({ type: OkDto })
  @ApiErrors(401, 403, 404, 422)
  drain(@CurrentMinerId() minerId: string): Promise<OkDto> {
    return this.commands.execute(new DrainMinerCommand(minerId));
  }
}
