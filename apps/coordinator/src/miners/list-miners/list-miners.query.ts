import { Query } from '@nestjs/cqrs';
import type { AdminMinerListDto } from '@aitbc/contracts';

export class ListMinersQuery extends Query<AdminMinerListDto> {}
