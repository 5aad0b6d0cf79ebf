import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { GetMetricsQuery } from './get-metrics.query';

@ApiTags('health')
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class GetMetricsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (public): jobs, miners, dispatch, HTTP and the process' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4' })
  metrics(): Promise<string> {
    return this.queries.execute(new GetMetricsQuery());
  }
}
