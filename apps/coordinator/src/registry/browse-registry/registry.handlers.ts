import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type {
  CategoryCountDto,
  ServiceDefinitionDto,
  ServiceListDto,
  ServicePricingDto,
  ServiceRequirementsDto,
} from '@aitbc/contracts';
import { ServiceCatalogue } from '../service-catalogue';
import {
  GetServiceDefinitionQuery,
  GetServicePricingQuery,
  GetServiceRequirementsQuery,
  GetServiceSchemaQuery,
  ListCategoriesQuery,
  ListRegistryServicesQuery,
} from './registry.queries';

@QueryHandler(ListRegistryServicesQuery)
export class ListRegistryServicesHandler implements IQueryHandler<ListRegistryServicesQuery, ServiceListDto> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ category, search }: ListRegistryServicesQuery): Promise<ServiceListDto> {
    const items = this.catalogue.list(category, search);
    return Promise.resolve({ items, total: items.length });
  }
}

@QueryHandler(ListCategoriesQuery)
export class ListCategoriesHandler implements IQueryHandler<ListCategoriesQuery, CategoryCountDto[]> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute(): Promise<CategoryCountDto[]> {
    return Promise.resolve(this.catalogue.categories());
  }
}

@QueryHandler(GetServiceDefinitionQuery)
export class GetServiceDefinitionHandler implements IQueryHandler<GetServiceDefinitionQuery, ServiceDefinitionDto> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ id }: GetServiceDefinitionQuery): Promise<ServiceDefinitionDto> {
    return Promise.resolve(this.catalogue.get(id));
  }
}

@QueryHandler(GetServiceSchemaQuery)
export class GetServiceSchemaHandler implements IQueryHandler<GetServiceSchemaQuery, Record<string, unknown>> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ id }: GetServiceSchemaQuery): Promise<Record<string, unknown>> {
    return Promise.resolve(this.catalogue.schema(id));
  }
}

@QueryHandler(GetServiceRequirementsQuery)
export class GetServiceRequirementsHandler implements IQueryHandler<
  GetServiceRequirementsQuery,
  ServiceRequirementsDto
> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ id }: GetServiceRequirementsQuery): Promise<ServiceRequirementsDto> {
    return Promise.resolve({ service_id: id, requirements: this.catalogue.get(id).requirements });
  }
}

@QueryHandler(GetServicePricingQuery)
export class GetServicePricingHandler implements IQueryHandler<GetServicePricingQuery, ServicePricingDto> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ id }: GetServicePricingQuery): Promise<ServicePricingDto> {
    return Promise.resolve({ service_id: id, pricing: this.catalogue.get(id).pricing });
  }
}

export const REGISTRY_HANDLERS = [
  ListRegistryServicesHandler,
  ListCategoriesHandler,
  GetServiceDefinitionHandler,
  GetServiceSchemaHandler,
  GetServiceRequirementsHandler,
  GetServicePricingHandler,
];
