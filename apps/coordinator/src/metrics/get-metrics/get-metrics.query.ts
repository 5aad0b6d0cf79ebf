import { Query } from '@nestjs/cqrs';

/** The Prometheus text of the coordinator's metrics, with domain gauges read now. */
export class GetMetricsQuery extends Query<string> {}
