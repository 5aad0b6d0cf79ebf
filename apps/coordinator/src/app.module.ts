import { DynamicModule, Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CONFIG, CoordinatorConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ProjectionsModule } from './projections/projections.module';
import { QueueModule } from './queue/queue.module';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: CoordinatorConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
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
      ],
    };
  }
}
