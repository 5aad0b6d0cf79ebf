import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ServiceTypeListDto } from '@aitbc/contracts';
import { SERVICE_TYPE_LIST } from '../service-types/service-types';
import { ListServiceTypesQuery } from './list-service-types.query';

@QueryHandler(ListServiceTypesQuery)
export class ListServiceTypesHandler implements IQueryHandler<ListServiceTypesQuery, ServiceTypeListDto> {
  execute(): Promise<ServiceTypeListDto> {
    return Promise.resolve({ services: SERVICE_TYPE_LIST });
  }
}
