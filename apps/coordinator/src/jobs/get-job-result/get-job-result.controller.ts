import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { JobResultDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { GetJobResultQuery } from './get-job-result.query';

@ApiTags('jobs')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class GetJobResultController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':job_id/result')
  @ApiOperation({ summary: 'The outcome of a finished job; 425 while it is queued or running' })
  @ApiOkResponse({ type: JobResultDto })
  @ApiErrors(401, 403, 404, 425)
  get(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<JobResultDto> {
    return this.queries.execute(new GetJobResultQuery(jobId, principal.id));
  }
}
