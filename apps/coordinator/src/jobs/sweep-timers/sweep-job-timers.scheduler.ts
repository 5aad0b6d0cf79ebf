import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';

/** The job scheduler's id, and the name of the jobs it produces. */
export const SWEEP_JOB_TIMERS = 'sweep-job-timers';

/** Waits between attempts to reach the queue backend: 1 s, doubling, at most `maxMs`. */
export function retryDelayMs(failures: number, maxMs = 30_000): number {
  return Math.min(maxMs, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 16));
}

/**
 * Keeps the BullMQ job scheduler that triggers the sweep: every worker-role coordinator upserts it at
 * bootstrap (idempotent: the same id and interval leave the next run where it was), so a flushed
 * Redis gets it back when a worker-role coordinator next starts. The backend may be down at
 * bootstrap, so the upsert runs in the background and is retried until it succeeds or the app stops.
 */
export class SweepJobTimersScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('job-timers');
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly queue: Queue,
    private readonly everyMs: number,
  ) {}

  onApplicationBootstrap(): void {
    void this.upsert();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async upsert(): Promise<void> {
    for (let failures = 1; !this.stopped; failures++) {
      try {
        await this.queue.upsertJobScheduler(
          SWEEP_JOB_TIMERS,
          { every: this.everyMs },
          // a sweep's outcome is in the event store; only failures are worth keeping here
          { name: SWEEP_JOB_TIMERS, opts: { removeOnComplete: true, removeOnFail: 100 } },
        );
        return;
      } catch (error) {
        if (this.stopped) {
          return;
        }
        const delay = retryDelayMs(failures);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`could not schedule the job-timer sweep (retrying in ${delay / 1000} s): ${message}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}
