import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AdminModule } from './admin/admin.module';
import { CLOCK, systemClock } from './clock';
import { CONFIG, CoordinatorConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { ApiKeyGuard } from './http/auth/api-key.guard';
import { JobsModule } from './jobs/jobs.module';
import { LedgerModule } from './ledger/ledger.module';
import { MinersModule } from './miners/miners.module';
import { ProjectionsModule } from './projections/projections.module';
import { QueueModule } from './queue/queue.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { RegistryModule } from './registry/registry.module';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: CoordinatorConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [CONFIG, CLOCK],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: CoordinatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        DatabaseModule,
        QueueModule,
        ProjectionsModule,
        HealthModule,
        JobsModule,
        MinersModule,
        AdminModule,
        MetricsModule,
        ReceiptsModule,
        LedgerModule,
        RegistryModule.forRoot(config.registryDir),
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
    };
  }
}
