import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceTypeListDto } from '@aitbc/contracts';
import { ListServiceTypesQuery } from './list-service-types.query';

@ApiTags('services')
@Controller('services')
export class ListServiceTypesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'The typed services: their endpoints, models, codecs or engines, and the hardware each needs',
  })
  @ApiOkResponse({ type: ServiceTypeListDto })
  list(): Promise<ServiceTypeListDto> {
    return this.queries.execute(new ListServiceTypesQuery());
  }
}
