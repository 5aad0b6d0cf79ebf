import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';

/** The job scheduler's id, and the name of the jobs it produces. */
export const SWEEP_JOB_TIMERS = 'sweep-job-timers';

/** Waits between attempts to reach the queue backend: 1 s, doubling, at most `maxMs`. */
/** How often the schedule is re-asserted while all is well. */
export const RECONCILE_MS = 60_000;

export function retryDelayMs(failures: number, maxMs = 30_000): number {
  return Math.min(maxMs, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 16));
}

/**
 * Keeps the BullMQ job scheduler that triggers the sweep: every worker-role coordinator upserts it at
 * bootstrap and again every minute (idempotent: the same id and interval leave the next run where it
 * was), so a flushed Redis gets its schedule back within a minute, without a restart. The backend may
 * be down, so the upsert runs in the background and is retried with back-off until the app stops.
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
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.queue.upsertJobScheduler(
          SWEEP_JOB_TIMERS,
          { every: this.everyMs },
          // a sweep's outcome is in the event store; only failures are worth keeping here
          { name: SWEEP_JOB_TIMERS, opts: { removeOnComplete: true, removeOnFail: 100 } },
        );
        failures = 0;
        await this.pause(RECONCILE_MS);
      } catch (error) {
        if (this.stopped) {
          return;
        }
        const delay = retryDelayMs(++failures);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`could not schedule the job-timer sweep (retrying in ${delay / 1000} s): ${message}`);
        await this.pause(delay);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }
}
