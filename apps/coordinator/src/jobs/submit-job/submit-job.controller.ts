import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobViewDto, SubmitJobDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { SubmitJobCommand } from './submit-job.command';
import { SubmitJobPipe } from './submit-job.pipe';

@ApiTags('jobs')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class SubmitJobController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiOperation({
    summary: 'Submit a job',
    description: "Also accepts the seed's form `{type, prompt, model, …}` (no `payload`), which becomes the payload.",
  })
  @ApiBody({ type: SubmitJobDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'same key + same body → the same job' })
  @ApiCreatedResponse({ type: JobViewDto, description: 'queued' })
  @ApiOkResponse({ type: JobViewDto, description: 'replay of an Idempotency-Key' })
  @ApiErrors(401, 402, 403, 409, 413, 422)
  async submit(
    @CurrentPrincipal() principal: Principal,
    // declared `object` so the global pipe leaves it to SubmitJobPipe, which knows the seed's form
    @Body(SubmitJobPipe) body: object,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobViewDto> {
    const { view, replayed } = await this.commands.execute(
      new SubmitJobCommand(principal.id, body as SubmitJobDto, idempotencyKey),
    );
    void reply.status(replayed ? 200 : 201);
    return view;
  }
}
