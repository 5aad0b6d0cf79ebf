import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { JobViewDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { CancelJobCommand } from './cancel-job.command';

@ApiTags('jobs')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class CancelJobController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':job_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or running job; a running job’s miner is told in its next heartbeat' })
  @ApiOkResponse({ type: JobViewDto })
  @ApiErrors(401, 403, 404, 409)
  cancel(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<JobViewDto> {
    return this.commands.execute(new CancelJobCommand(jobId, principal.id));
  }
}
