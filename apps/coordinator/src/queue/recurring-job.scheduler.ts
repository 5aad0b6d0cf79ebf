import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';

/** How often a schedule is re-asserted while all is well. */
export const RECONCILE_MS = 60_000;

/** Waits between attempts to reach the queue backend: 1 s, doubling, at most `maxMs`. */
export function retryDelayMs(failures: number, maxMs = 30_000): number {
  return Math.min(maxMs, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 16));
}

export interface RecurringJob {
  /** the job scheduler's id, and the name of the jobs it produces */
  id: string;
  everyMs: number;
  /** for log lines: what the job does */
  description: string;
  logContext: string;
}

/**
 * Keeps a BullMQ job scheduler in place: upserted at bootstrap and re-asserted every minute
 * (idempotent: the same id and interval leave the next run where it was), so a flushed backend gets
 * its schedule back within a minute, without a restart. The backend may be down, so the upsert runs
 * in the background and is retried with back-off until the app stops.
 */
export class RecurringJobScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly queue: Queue,
    private readonly job: RecurringJob,
  ) {
    this.logger = new Logger(job.logContext);
  }

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
          this.job.id,
          { every: this.job.everyMs },
          // the work's outcome is recorded in PostgreSQL; only failures are worth keeping here
          { name: this.job.id, opts: { removeOnComplete: true, removeOnFail: 100 } },
        );
        failures = 0;
        await this.pause(RECONCILE_MS);
      } catch (error) {
        if (this.stopped) {
          return;
        }
        const delay = retryDelayMs(++failures);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`could not schedule ${this.job.description} (retrying in ${delay / 1000} s): ${message}`);
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
