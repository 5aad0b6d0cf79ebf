import { getQueueToken } from '@nestjs/bullmq';
import type { Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { QueueErrorLogger } from '../../queue/queue-error.logger';
import { BLOCKS_QUEUE } from '../../queue/queue.names';
import { SealBlocksProcessor } from './seal-blocks.processor';
import { SealBlocksScheduler } from './seal-blocks.scheduler';
import { SealBlocks } from './seal-blocks.service';

const BLOCKS_QUEUE_ERRORS = Symbol('BlocksQueueErrors');

/** Like the job-timer sweep: the worker and the scheduler exist only on coordinators that are not 'api'. */
export const SEAL_BLOCKS_PROVIDERS: Provider[] = [
  SealBlocks,
  {
    provide: SealBlocksProcessor,
    inject: [CONFIG, SealBlocks],
    useFactory: (config: CoordinatorConfig, sealer: SealBlocks) =>
      config.role === 'api' ? null : new SealBlocksProcessor(sealer),
  },
  {
    provide: SealBlocksScheduler,
    inject: [CONFIG, getQueueToken(BLOCKS_QUEUE)],
    useFactory: (config: CoordinatorConfig, queue: Queue) =>
      config.role === 'api' ? null : new SealBlocksScheduler(queue, config.ledger.blockIntervalMs),
  },
  {
    provide: BLOCKS_QUEUE_ERRORS,
    inject: [getQueueToken(BLOCKS_QUEUE)],
    useFactory: (queue: Queue) => new QueueErrorLogger(queue),
  },
];
