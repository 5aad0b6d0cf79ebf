import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { BLOCKS_QUEUE } from '../../queue/queue.names';
import { RecurringJobProcessor } from '../../queue/recurring-job.processor';
import type { Block } from '../chain';
import { SEAL_BLOCKS } from './seal-blocks.scheduler';
import { SealBlocks } from './seal-blocks.service';

/** Runs each scheduled seal; one at a time per coordinator (and overall, see `SealBlocks`). */
@Processor(BLOCKS_QUEUE, { concurrency: 1 })
export class SealBlocksProcessor extends RecurringJobProcessor<Block | null> {
  constructor(sealer: SealBlocks) {
    super(sealer, { queue: BLOCKS_QUEUE, id: SEAL_BLOCKS, description: 'block sealing', logContext: 'blocks' });
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.reportWorkerError(error);
  }
}
