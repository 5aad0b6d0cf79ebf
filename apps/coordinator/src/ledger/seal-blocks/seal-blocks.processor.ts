import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { LogThrottle } from '../../jobs/sweep-timers/log-throttle';
import { BLOCKS_QUEUE } from '../../queue/queue.names';
import type { Block } from '../chain';
import { SEAL_BLOCKS } from './seal-blocks.scheduler';
import { SealBlocks } from './seal-blocks.service';

const QUIET_MS = 30_000;

/** Runs each scheduled seal; one at a time per coordinator (and overall, see `SealBlocks`). */
@Processor(BLOCKS_QUEUE, { concurrency: 1 })
export class SealBlocksProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger('blocks');
  private readonly throttle = new LogThrottle(QUIET_MS);
  private running: Promise<unknown> | null = null;

  constructor(private readonly sealer: SealBlocks) {
    super();
  }

  async process(job: Job): Promise<number | null> {
    if (job.name !== SEAL_BLOCKS) {
      throw new Error(`the ${BLOCKS_QUEUE} queue has no job "${job.name}"`);
    }
    const run = this.sealer.run();
    this.running = run;
    try {
      const block: Block | null = await run;
      return block?.height ?? null;
    } catch (error) {
      this.report('block sealing failed', error);
      throw error;
    } finally {
      this.running = null;
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.report('blocks worker', error);
  }

  /** As `SweepJobTimersProcessor`: end the seal in flight, then close the worker without waiting on its fetch loop. */
  async onModuleDestroy(): Promise<void> {
    this.sealer.stop();
    await this.running?.catch(() => undefined);
    await this.worker.close(true);
  }

  /** A backend or database that is down fails every run: one line per 30 s is enough. */
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
