import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RECONCILE_MS, retryDelayMs } from '../../jobs/sweep-timers/sweep-job-timers.scheduler';

/** The job scheduler's id, and the name of the jobs it produces. */
export const SEAL_BLOCKS = 'seal-blocks';

/**
 * Keeps the BullMQ job scheduler that triggers sealing, as `SweepJobTimersScheduler` does for the
 * sweep: upserted at bootstrap and re-asserted every minute (a flushed backend gets it back), retried
 * with back-off in the background while the backend is down, until the app stops.
 */
export class SealBlocksScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('blocks');
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
          SEAL_BLOCKS,
          { every: this.everyMs },
          // the blocks themselves are the record of a seal; only failures are worth keeping here
          { name: SEAL_BLOCKS, opts: { removeOnComplete: true, removeOnFail: 100 } },
        );
        failures = 0;
        await this.pause(RECONCILE_MS);
      } catch (error) {
        if (this.stopped) {
          return;
        }
        const delay = retryDelayMs(++failures);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`could not schedule block sealing (retrying in ${delay / 1000} s): ${message}`);
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
