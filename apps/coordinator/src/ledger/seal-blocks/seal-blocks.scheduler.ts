import type { Queue } from 'bullmq';
import { RecurringJobScheduler } from '../../queue/recurring-job.scheduler';

/** The job scheduler's id, and the name of the jobs it produces. */
export const SEAL_BLOCKS = 'seal-blocks';

/** Keeps the schedule of block sealing (every LEDGER_BLOCK_INTERVAL_MS). */
export class SealBlocksScheduler extends RecurringJobScheduler {
  constructor(queue: Queue, everyMs: number) {
    super(queue, { id: SEAL_BLOCKS, everyMs, description: 'block sealing', logContext: 'blocks' });
  }
}
