import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { RequestValidationDto } from '@aitbc/contracts';
import { ServiceCatalogue } from '../service-catalogue';
import { ValidateServiceRequestQuery } from './validate-service-request.query';

@QueryHandler(ValidateServiceRequestQuery)
export class ValidateServiceRequestHandler implements IQueryHandler<ValidateServiceRequestQuery, RequestValidationDto> {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  execute({ serviceId, body }: ValidateServiceRequestQuery): Promise<RequestValidationDto> {
    return Promise.resolve(this.catalogue.validate(serviceId, body));
  }
}
