import { Query } from '@nestjs/cqrs';
import type { ServiceTypeListDto } from '@aitbc/contracts';

export class ListServiceTypesQuery extends Query<ServiceTypeListDto> {}
