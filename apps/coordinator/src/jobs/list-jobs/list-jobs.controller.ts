import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { JobPageDto, ListJobsQueryDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { ListJobsQuery } from './list-jobs.query';

const DEFAULT_LIMIT = 50;

@ApiSecurity('api-key')
@Controller()
export class ListJobsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('jobs')
  @ApiTags('jobs')
  @Roles('client')
  @ApiOperation({ summary: 'Your jobs, newest first (cursor paging)' })
  @ApiOkResponse({ type: JobPageDto })
  @ApiErrors(401, 403, 422)
  list(@CurrentPrincipal() principal: Principal, @QueryParams() query: ListJobsQueryDto): Promise<JobPageDto> {
    return this.queries.execute(
      new ListJobsQuery(principal.id, query.state, query.limit ?? DEFAULT_LIMIT, query.cursor),
    );
  }

  @Get('admin/jobs')
  @ApiTags('admin')
  @Roles('admin')
  @ApiOperation({ summary: "Everyone's jobs, newest first (no payloads or results)" })
  @ApiOkResponse({ type: JobPageDto })
  @ApiErrors(401, 403, 422)
  listAll(@QueryParams() query: ListJobsQueryDto): Promise<JobPageDto> {
    return this.queries.execute(new ListJobsQuery(null, query.state, query.limit ?? DEFAULT_LIMIT, query.cursor));
  }
}
