import { DynamicModule, Module } from '@nestjs/common';
import type { MinerConfig } from './config';
import { CoordinatorLink } from './coordinator-link';
import { HealthzController } from './health/healthz.controller';
import { MINER_CONFIG } from './tokens';

@Module({})
export class MinerModule {
  static forRoot(config: MinerConfig): DynamicModule {
    return {
      module: MinerModule,
      controllers: [HealthzController],
      providers: [{ provide: MINER_CONFIG, useValue: config }, CoordinatorLink],
    };
  }
}
