import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GetHealthController } from './get-health/get-health.controller';
import { CheckReadinessController } from './check-readiness/check-readiness.controller';
import { ReadinessIndicators } from './check-readiness/readiness.indicators';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [GetHealthController, CheckReadinessController],
  providers: [ReadinessIndicators],
})
export class HealthModule {}
