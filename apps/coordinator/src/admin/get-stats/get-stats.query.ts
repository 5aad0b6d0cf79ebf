import { Query } from '@nestjs/cqrs';
import type { StatsDto } from './stats.dto';

export class GetStatsQuery extends Query<StatsDto> {}
