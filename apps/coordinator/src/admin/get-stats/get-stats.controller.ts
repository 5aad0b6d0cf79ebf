import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import { GetStatsQuery } from './get-stats.query';
import { StatsDto } from './stats.dto';

@ApiTags('admin')
@ApiSecurity('api-key')
@Roles('admin')
@Controller('admin')
export class GetStatsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('stats')
  @ApiOperation({ summary: 'Counts of jobs by state and of miners' })
  @ApiOkResponse({ type: StatsDto })
  @ApiErrors(401, 403)
  stats(): Promise<StatsDto> {
    return this.queries.execute(new GetStatsQuery());
  }
}
