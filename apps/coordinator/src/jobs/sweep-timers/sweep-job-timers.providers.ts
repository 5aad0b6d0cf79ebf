import { getQueueToken } from '@nestjs/bullmq';
import type { Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { QueueErrorLogger } from '../../queue/queue-error.logger';
import { TIMERS_QUEUE } from '../../queue/queue.names';
import { SweepJobTimersProcessor } from './sweep-job-timers.processor';
import { SweepJobTimersScheduler } from './sweep-job-timers.scheduler';
import { SweepJobTimers } from './sweep-job-timers.service';

const TIMERS_QUEUE_ERRORS = Symbol('TimersQueueErrors');

/**
 * The worker and the scheduler exist only on coordinators that do background work: an 'api'
 * coordinator resolves both to null, so @nestjs/bullmq finds no processor and nothing is scheduled.
 */
export const SWEEP_JOB_TIMERS_PROVIDERS: Provider[] = [
  SweepJobTimers,
  {
    provide: SweepJobTimersProcessor,
    inject: [CONFIG, SweepJobTimers],
    useFactory: (config: CoordinatorConfig, sweeper: SweepJobTimers) =>
      config.role === 'api' ? null : new SweepJobTimersProcessor(sweeper),
  },
  {
    provide: SweepJobTimersScheduler,
    inject: [CONFIG, getQueueToken(TIMERS_QUEUE)],
    useFactory: (config: CoordinatorConfig, queue: Queue) =>
      config.role === 'api' ? null : new SweepJobTimersScheduler(queue, config.jobs.sweepIntervalMs),
  },
  // the queue exists on every role, and BullMQ writes each backend error to stderr when nobody listens
  {
    provide: TIMERS_QUEUE_ERRORS,
    inject: [getQueueToken(TIMERS_QUEUE)],
    useFactory: (queue: Queue) => new QueueErrorLogger(queue),
  },
];
