import type { Queue } from 'bullmq';
import { RecurringJobScheduler } from '../../queue/recurring-job.scheduler';

/** The job scheduler's id, and the name of the jobs it produces. */
export const SWEEP_JOB_TIMERS = 'sweep-job-timers';

/** Keeps the schedule of the job-timer sweep (queue TTLs, lost leases, run timeouts). */
export class SweepJobTimersScheduler extends RecurringJobScheduler {
  constructor(queue: Queue, everyMs: number) {
    super(queue, { id: SWEEP_JOB_TIMERS, everyMs, description: 'the job-timer sweep', logContext: 'job-timers' });
  }
}
