import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PollDto, PolledJobDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { OptionalBodyPipe } from '../../http/validation';
import { PollJobCommand } from './poll-job.command';

@ApiTags('miners')
@ApiSecurity('api-key')
@ApiSecurity('miner-key')
@Roles('miner')
@Controller('miners')
export class PollJobController {
  constructor(private readonly commands: CommandBus) {}

  @Post('poll')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the oldest job this miner can run',
    description: 'Waits up to max_wait_seconds for one (long-poll). Draining or full miners get 204 at once.',
  })
  @ApiBody({ type: PollDto, required: false })
  @ApiOkResponse({ type: PolledJobDto })
  @ApiNoContentResponse({ description: 'no job within max_wait_seconds' })
  @ApiErrors(401, 403, 404, 422)
  async poll(
    @CurrentPrincipal() principal: Principal,
    @Body(new OptionalBodyPipe(PollDto)) body: object,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolledJobDto | undefined> {
    // a miner that hangs up mid-wait (restart, crash, timeout) must not be handed a job it never sees
    const hungUp = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) {
        hungUp.abort();
      }
    });
    const job = await this.commands.execute(
      new PollJobCommand(
        principal.minerId!,
        (body as PollDto).max_wait_seconds ?? 0,
        (body as PollDto).job_id ?? null,
        hungUp.signal,
      ),
    );
    if (!job) {
      void reply.status(204);
      return undefined;
    }
    return job;
  }
}
