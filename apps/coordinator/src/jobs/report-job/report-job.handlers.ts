import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { canonicalize } from '@aitbc/crypto';
import { CLOCK, type Clock } from '../../clock';
import { decideComplete, decideFail, decideStart } from '../job';
import { JobNotFoundError } from '../job.errors';
import { JobStore } from '../job-store';
import { CompleteJobCommand, CompleteJobResult, FailJobCommand, StartJobCommand } from './report-job.commands';

const JOB_ID = /^[0-9a-f]{32}$/;

function assertJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw new JobNotFoundError();
  }
}

/** sha256 of the result's canonical JSON: the same result always hashes the same. */
export function resultHash(result: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalize(result)).digest('hex');
}

/**
 * A miner's result. Only the miner holding the job's current lease may complete it (403 for a
 * stranger, 409 for a miner whose lease was lost); an exact replay answers as the first time did.
 */
@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand, CompleteJobResult> {
  constructor(
    private readonly jobs: JobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jobId, minerId, report }: CompleteJobCommand): Promise<CompleteJobResult> {
    assertJobId(jobId);
    const result = JSON.parse(JSON.stringify(report.result)) as Record<string, unknown>;
    const hash = resultHash(result);
    await this.jobs.execute(jobId, (state) => {
      const decision = decideComplete(
        state,
        minerId,
        { result, metrics: report.metrics ?? {}, result_hash: hash },
        this.clock.now(),
      );
      return { events: decision.replay ? [] : decision.events, result: null };
    });
    return { status: 'ok', receipt: null };
  }
}

@CommandHandler(FailJobCommand)
export class FailJobHandler implements ICommandHandler<FailJobCommand, { status: 'ok'; requeued: boolean }> {
  constructor(
    private readonly jobs: JobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jobId, minerId, report }: FailJobCommand): Promise<{ status: 'ok'; requeued: boolean }> {
    assertJobId(jobId);
    const requeued = await this.jobs.execute(jobId, (state) => {
      const events = decideFail(
        state,
        minerId,
        { code: report.error_code, message: report.error_message },
        this.clock.now(),
      );
      return { events, result: events.some((event) => event.type === 'JobRequeued') };
    });
    return { status: 'ok', requeued };
  }
}

/** The seed's `POST /v1/jobs/{id}/status {status: "running"}`: the miner began work (idempotent). */
@CommandHandler(StartJobCommand)
export class StartJobHandler implements ICommandHandler<
  StartJobCommand,
  { status: 'ok'; job_id: string; state: 'RUNNING' }
> {
  constructor(
    private readonly jobs: JobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jobId, minerId }: StartJobCommand): Promise<{ status: 'ok'; job_id: string; state: 'RUNNING' }> {
    assertJobId(jobId);
    await this.jobs.execute(jobId, (state) => ({
      events: decideStart(state, minerId, this.clock.now()),
      result: null,
    }));
    return { status: 'ok', job_id: jobId, state: 'RUNNING' };
  }
}
