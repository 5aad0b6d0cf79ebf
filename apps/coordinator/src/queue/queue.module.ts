import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { CONFIG, CoordinatorConfig } from '../config';
import { queueConnection } from './queue-connection';
import { QueueErrorLogger } from './queue-error.logger';
import { BLOCKS_QUEUE, MAINTENANCE_QUEUE, TIMERS_QUEUE } from './queue.names';

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
    BullModule.registerQueue({ name: MAINTENANCE_QUEUE }, { name: TIMERS_QUEUE }, { name: BLOCKS_QUEUE }),
  ],
  providers: [QueueErrorLogger],
  exports: [BullModule],
})
export class QueueModule {}
