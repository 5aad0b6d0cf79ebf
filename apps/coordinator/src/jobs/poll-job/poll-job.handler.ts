import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppError, ErrorCode, type PolledJobDto } from '@aitbc/contracts';
import { Dispatcher } from '../dispatch/dispatcher';
import { JobAvailableListener } from '../dispatch/job-available.listener';
import { PollJobCommand } from './poll-job.command';

/**
 * Long-poll: try to dispatch; if nothing fits, wait until a job this miner could run is announced
 * (on any coordinator) or the wait runs out. Draining or full miners get an immediate 204.
 */
@CommandHandler(PollJobCommand)
export class PollJobHandler implements ICommandHandler<PollJobCommand, PolledJobDto | null> {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly available: JobAvailableListener,
  ) {}

  async execute({ minerId, maxWaitSeconds, jobId, signal }: PollJobCommand): Promise<PolledJobDto | null> {
    const deadline = Date.now() + maxWaitSeconds * 1000;
    const left = abortion(signal);
    let outcome = await this.dispatcher.tryDispatch(minerId, jobId);
    while (outcome.kind === 'none') {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) {
        return null;
      }
      // register first, then look again: a job announced in between still wakes us
      const waiter = this.available.waitFor(outcome.miner);
      const again = await this.dispatcher.tryDispatch(minerId, jobId);
      if (again.kind !== 'none') {
        waiter.cancel();
        outcome = again;
        break;
      }
      await Promise.race([waiter.promise(remaining), left]);
      waiter.cancel();
      outcome = again;
    }
    switch (outcome.kind) {
      case 'assigned':
        return outcome.job;
      case 'unavailable':
        return null;
      case 'unregistered':
        throw new AppError(ErrorCode.MINER_NOT_REGISTERED, 'miner not registered');
    }
  }
}

/** Resolves when the signal aborts (never, without one). */
function abortion(signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
    }
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}
