import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CategoryCountDto,
  ListRegistryServicesQueryDto,
  ServiceDefinitionDto,
  ServiceListDto,
  ServicePricingDto,
  ServiceRequirementsDto,
} from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import {
  GetServiceDefinitionQuery,
  GetServicePricingQuery,
  GetServiceRequirementsQuery,
  GetServiceSchemaQuery,
  ListCategoriesQuery,
  ListRegistryServicesQuery,
} from './registry.queries';

/** The service catalogue, public: what services exist, what they take, need and cost. */
@ApiTags('registry')
@Controller('registry')
export class RegistryController {
  constructor(private readonly queries: QueryBus) {}

  @Get('services')
  @ApiOperation({ summary: 'Services of the catalogue, by category and search text' })
  @ApiOkResponse({ type: ServiceListDto })
  @ApiErrors(422)
  list(@Query() query: ListRegistryServicesQueryDto): Promise<ServiceListDto> {
    return this.queries.execute(new ListRegistryServicesQuery(query.category, query.search));
  }

  @Get('categories')
  @ApiOperation({ summary: 'Each category with the number of its services' })
  @ApiOkResponse({ type: [CategoryCountDto] })
  categories(): Promise<CategoryCountDto[]> {
    return this.queries.execute(new ListCategoriesQuery());
  }

  @Get('services/:id')
  @ApiOperation({ summary: 'A service definition: parameters, output schema, hardware, pricing, limits' })
  @ApiOkResponse({ type: ServiceDefinitionDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<ServiceDefinitionDto> {
    return this.queries.execute(new GetServiceDefinitionQuery(id));
  }

  @Get('services/:id/schema')
  @ApiOperation({
    summary: 'JSON Schema (2020-12) of the service’s request',
    description: 'Generated from the parameters; carries the example, and the result schema under `$defs.result`.',
  })
  @ApiOkResponse({ schema: { type: 'object', example: { $schema: 'https://json-schema.org/draft/2020-12/schema' } } })
  @ApiErrors(404)
  schema(@Param('id') id: string): Promise<Record<string, unknown>> {
    return this.queries.execute(new GetServiceSchemaQuery(id));
  }

  @Get('services/:id/requirements')
  @ApiOperation({ summary: 'The hardware a service needs: minimum and recommended' })
  @ApiOkResponse({ type: ServiceRequirementsDto })
  @ApiErrors(404)
  requirements(@Param('id') id: string): Promise<ServiceRequirementsDto> {
    return this.queries.execute(new GetServiceRequirementsQuery(id));
  }

  @Get('services/:id/pricing')
  @ApiOperation({ summary: 'The pricing tiers of a service' })
  @ApiOkResponse({ type: ServicePricingDto })
  @ApiErrors(404)
  pricing(@Param('id') id: string): Promise<ServicePricingDto> {
    return this.queries.execute(new GetServicePricingQuery(id));
  }
}
