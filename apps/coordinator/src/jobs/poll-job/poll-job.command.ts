import { Command } from '@nestjs/cqrs';
import type { PolledJobDto } from '@aitbc/contracts';

/** Ask for a job, waiting up to `maxWaitSeconds` for one; null → 204. */
export class PollJobCommand extends Command<PolledJobDto | null> {
  constructor(
    readonly minerId: string,
    readonly maxWaitSeconds: number,
    /** Push mode: only this job. */
    readonly jobId: string | null = null,
    /** Aborted when the miner's connection goes away: a job must not be handed to nobody. */
    readonly signal: AbortSignal | null = null,
  ) {
    super();
  }
}
