import { WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { LogThrottle } from './log-throttle';

const QUIET_MS = 30_000;

/** The work a recurring job runs: one run at a time, and a way to end the run in flight at shutdown. */
export interface RecurringWork<R> {
  run(): Promise<R>;
  stop(): void;
}

/**
 * Runs each scheduled iteration of a recurring job (see RecurringJobScheduler), one at a time per
 * coordinator; subclasses add `@Processor(queue, { concurrency: 1 })` and forward the worker's
 * 'error' event to `reportWorkerError`.
 */
export abstract class RecurringJobProcessor<R> extends WorkerHost implements OnModuleDestroy {
  private readonly logger: Logger;
  private readonly throttle = new LogThrottle(QUIET_MS);
  private running: Promise<unknown> | null = null;

  protected constructor(
    private readonly work: RecurringWork<R>,
    private readonly job: { queue: string; id: string; description: string; logContext: string },
  ) {
    super();
    this.logger = new Logger(job.logContext);
  }

  async process(job: Job): Promise<R> {
    if (job.name !== this.job.id) {
      throw new Error(`the ${this.job.queue} queue has no job "${job.name}"`);
    }
    const run = this.work.run();
    this.running = run;
    try {
      return await run;
    } catch (error) {
      this.report(`${this.job.description} failed`, error);
      throw error;
    } finally {
      this.running = null;
    }
  }

  protected reportWorkerError(error: Error): void {
    this.report(`${this.job.queue} worker`, error);
  }

  /**
   * Closes the worker before the database pool goes away. BullMQ's graceful `close()` waits for the
   * worker's fetch loop, which never returns while the backend is unreachable (and @nestjs/bullmq
   * would wait on it at shutdown), so the run in flight is ended and awaited here and the worker is
   * then closed without waiting. At worst a run being fetched at that instant is left active: the
   * stalled-job check hands it to another worker, and the next bootstrap re-upserts the schedule.
   */
  async onModuleDestroy(): Promise<void> {
    this.work.stop();
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
