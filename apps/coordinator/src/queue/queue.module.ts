import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { CONFIG, CoordinatorConfig } from '../config';
import { queueConnection } from './queue-connection';

/** Background work that must survive restarts and run once across coordinators. */
export const MAINTENANCE_QUEUE = 'maintenance';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [CONFIG],
      useFactory: (config: CoordinatorConfig) => ({
        connection: queueConnection(config),
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
