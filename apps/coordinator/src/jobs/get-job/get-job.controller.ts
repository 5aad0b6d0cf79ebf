import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { JobViewDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { GetJobQuery } from './get-job.query';

@ApiTags('jobs')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class GetJobController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':job_id')
  @ApiOperation({ summary: 'One of your jobs' })
  @ApiOkResponse({ type: JobViewDto })
  @ApiErrors(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<JobViewDto> {
    return this.queries.execute(new GetJobQuery(jobId, principal.id));
  }
}
