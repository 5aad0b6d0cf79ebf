import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { GetMetricsController } from './get-metrics/get-metrics.controller';
import { GetMetricsHandler } from './get-metrics/get-metrics.handler';
import { CoordinatorMetrics } from './metrics.registry';
import { METRICS } from './metrics.tokens';

@Global()
@Module({
  imports: [JobsModule],
  controllers: [GetMetricsController],
  providers: [{ provide: METRICS, useFactory: () => new CoordinatorMetrics() }, GetMetricsHandler],
  exports: [METRICS],
})
export class MetricsModule {}
