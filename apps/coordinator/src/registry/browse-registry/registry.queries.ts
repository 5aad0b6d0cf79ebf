import { Query } from '@nestjs/cqrs';
import type {
  CategoryCountDto,
  ServiceCategory,
  ServiceDefinitionDto,
  ServiceListDto,
  ServicePricingDto,
  ServiceRequirementsDto,
} from '@aitbc/contracts';

export class ListRegistryServicesQuery extends Query<ServiceListDto> {
  constructor(
    readonly category?: ServiceCategory,
    readonly search?: string,
  ) {
    super();
  }
}

export class ListCategoriesQuery extends Query<CategoryCountDto[]> {}

export class GetServiceDefinitionQuery extends Query<ServiceDefinitionDto> {
  constructor(readonly id: string) {
    super();
  }
}

export class GetServiceSchemaQuery extends Query<Record<string, unknown>> {
  constructor(readonly id: string) {
    super();
  }
}

export class GetServiceRequirementsQuery extends Query<ServiceRequirementsDto> {
  constructor(readonly id: string) {
    super();
  }
}

export class GetServicePricingQuery extends Query<ServicePricingDto> {
  constructor(readonly id: string) {
    super();
  }
}
