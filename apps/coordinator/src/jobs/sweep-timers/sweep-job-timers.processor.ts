import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { TIMERS_QUEUE } from '../../queue/queue.names';
import { RecurringJobProcessor } from '../../queue/recurring-job.processor';
import { SWEEP_JOB_TIMERS } from './sweep-job-timers.scheduler';
import { SweepJobTimers, SweepResult } from './sweep-job-timers.service';

/** Runs each scheduled sweep; one at a time per coordinator (and one at a time overall, see `SweepJobTimers`). */
@Processor(TIMERS_QUEUE, { concurrency: 1 })
export class SweepJobTimersProcessor extends RecurringJobProcessor<SweepResult | null> {
  constructor(sweeper: SweepJobTimers) {
    super(sweeper, {
      queue: TIMERS_QUEUE,
      id: SWEEP_JOB_TIMERS,
      description: 'job-timer sweep',
      logContext: 'job-timers',
    });
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.reportWorkerError(error);
  }
}
