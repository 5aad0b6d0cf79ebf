import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { TIMERS_QUEUE } from '../../queue/queue.names';
import { LogThrottle } from './log-throttle';
import { SWEEP_JOB_TIMERS } from './sweep-job-timers.scheduler';
import { SweepJobTimers, SweepResult } from './sweep-job-timers.service';

const QUIET_MS = 30_000;

/** Runs each scheduled sweep; one at a time per coordinator (and one at a time overall, see `SweepJobTimers`). */
@Processor(TIMERS_QUEUE, { concurrency: 1 })
export class SweepJobTimersProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger('job-timers');
  private readonly throttle = new LogThrottle(QUIET_MS);
  private running: Promise<unknown> | null = null;

  constructor(private readonly sweeper: SweepJobTimers) {
    super();
  }

  async process(job: Job): Promise<SweepResult | null> {
    if (job.name !== SWEEP_JOB_TIMERS) {
      throw new Error(`the ${TIMERS_QUEUE} queue has no job "${job.name}"`);
    }
    const run = this.sweeper.run();
    this.running = run;
    try {
      return await run;
    } catch (error) {
      this.report('job-timer sweep failed', error);
      throw error;
    } finally {
      this.running = null;
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.report('timers worker', error);
  }

  /**
   * Closes the worker before the database pool goes away. BullMQ's graceful `close()` waits for the
   * worker's fetch loop, which never returns while the backend is unreachable (and @nestjs/bullmq
   * would wait on it at shutdown), so the sweep in flight is ended and awaited here and the worker
   * is then closed without waiting. At worst a run being fetched at that instant is left active:
   * the stalled-job check hands it to another worker, and the next bootstrap re-upserts the schedule.
   */
  async onModuleDestroy(): Promise<void> {
    this.sweeper.stop();
    await this.running?.catch(() => undefined);
    await this.worker.close(true);
  }

  /** A backend or database that is down fails every run and every retry: one line per 30 s is enough. */
  private report(what: string, error: unknown): void {
    const admitted = this.throttle.admit(Date.now());
    if (!admitted.log) {
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const more = admitted.suppressed > 0 ? ` (${admitted.suppressed} similar errors suppressed)` : '';
    this.logger.error(`${what}: ${message}${more}`);
  }
}
