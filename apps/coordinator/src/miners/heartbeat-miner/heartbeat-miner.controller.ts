import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HeartbeatDto, HeartbeatResponseDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import { OptionalBodyPipe } from '../../http/validation';
import { ApiMinerAuth, CurrentMinerId } from '../current-miner.decorator';
import { HeartbeatMinerCommand } from './heartbeat-miner.command';

@ApiTags('miners')
@ApiMinerAuth()
@Roles('miner')
@Controller('miners')
export class HeartbeatMinerController {
  constructor(private readonly commands: CommandBus) {}

  @Post('heartbeat')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Heartbeat',
    description:
      'Keeps the miner alive and extends the leases of its running jobs; the reply lists running jobs it must ' +
      'stop, each once. The body is optional; `status` declares ONLINE or DRAINING.',
  })
  @ApiBody({ type: HeartbeatDto, required: false })
  @ApiOkResponse({ type: HeartbeatResponseDto })
  @ApiErrors(401, 403, 404, 422)
  heartbeat(
    @CurrentMinerId() minerId: string,
    // declared `object` so the global pipe leaves it to OptionalBodyPipe: no body is a bare heartbeat
    @Body(new OptionalBodyPipe(HeartbeatDto)) body: object,
  ): Promise<HeartbeatResponseDto> {
    return this.commands.execute(new HeartbeatMinerCommand(minerId, body as HeartbeatDto));
  }
}
