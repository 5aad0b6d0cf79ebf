import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { CLOCK, type Clock } from '../../clock';
import { settleCompletion } from '../../ledger/settlement';
import { ReceiptIssuer } from '../../receipts/receipt-issuer';
import { contentHash, type SignedReceipt } from '../../receipts/receipt';
import { decideComplete, decideFail, decideStart, JobState } from '../job';
import { JobNotFoundError, JobNotRunningError } from '../job.errors';
import { JobStore } from '../job-store';
import { assertMinerProof } from './miner-proof';
import { CompleteJobCommand, CompleteJobResult, FailJobCommand, StartJobCommand } from './report-job.commands';

const JOB_ID = /^[0-9a-f]{32}$/;

function assertJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw new JobNotFoundError();
  }
}

/**
 * A report that names its attempt must be about the job's current one. The coordinator can hand a
 * requeued job back to the miner that held it while that miner's report on the earlier attempt is
 * still on its way (an outage longer than the lease): that stale report must not complete or fail
 * the attempt now running. Checked after the decision, so 404/403/409 keep their precedence.
 */
export function assertCurrentAttempt(state: JobState, attempt: number | null | undefined): void {
  // null is "not given", as @IsOptional() lets it through
  if (attempt !== undefined && attempt !== null && attempt !== state.attempts) {
    throw new JobNotRunningError(
      `attempt ${attempt} is not the job's current attempt (${state.attempts}): the report is stale`,
    );
  }
}

/** The miner's own measure of GPU time, if it reported one we can bill: gpu_seconds, else duration_ms. */
export function measuredMs(metrics: Record<string, unknown>): number | null {
  const usable = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (usable(metrics.gpu_seconds)) {
    return Math.round(metrics.gpu_seconds * 1000);
  }
  return usable(metrics.duration_ms) ? Math.round(metrics.duration_ms) : null;
}

/**
 * A miner's result. Only the miner holding the job's current lease may complete it (403 for a
 * stranger, 409 for a miner whose lease was lost or whose report names an earlier `attempt`); an
 * exact replay (same result, same attempt) answers as the first time did.
 * The signed receipt is issued in the same transaction as the completion, so there is never a
 * completed job without its receipt, nor a receipt for a completion that did not commit.
 */
@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand, CompleteJobResult> {
  constructor(
    private readonly jobs: JobStore,
    private readonly receipts: ReceiptIssuer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jobId, minerId, report }: CompleteJobCommand): Promise<CompleteJobResult> {
    assertJobId(jobId);
    const result = JSON.parse(JSON.stringify(report.result)) as Record<string, unknown>;
    const metrics = report.metrics ?? {};
    const hash = contentHash(result);
    assertMinerProof(report.proof, hash);
    const receipt = await this.jobs.execute(jobId, async (state, tx) => {
      const now = this.clock.now();
      const decision = decideComplete(state, minerId, { result, metrics, result_hash: hash }, now);
      assertCurrentAttempt(state, report.attempt);
      // a replay re-issues nothing: the receipt of that completion is already stored and is returned
      const receipt = await this.issueReceipt(tx, state, minerId, metrics, hash, now);
      return { events: decision.replay ? [] : decision.events, result: receipt };
    });
    return { status: 'ok', receipt: receipt as unknown as Record<string, unknown> };
  }

  private async issueReceipt(
    tx: PoolClient,
    state: JobState,
    minerId: string,
    metrics: Record<string, unknown>,
    hash: string,
    now: Date,
  ): Promise<SignedReceipt> {
    const { rows } = await tx.query<{
      payload: Record<string, unknown>;
      payment_amount_micro: string | null;
      price_micro: string | null;
    }>(
      `SELECT v.payload, v.payment_amount_micro, m.price_micro
       FROM job_views v LEFT JOIN miners m ON m.miner_id = $2 WHERE v.job_id = $1`,
      [state.jobId, minerId],
    );
    const { payload, payment_amount_micro, price_micro } = rows[0];
    const receipt = await this.receipts.issue(tx, {
      jobId: state.jobId,
      attempt: state.attempts,
      clientId: state.clientId,
      minerId,
      assignedAt: new Date(state.assignedAt ?? now.toISOString()),
      completedAt: now,
      measuredMs: measuredMs(metrics),
      unitPriceMicro: Number(price_micro ?? 0),
      escrowMicro: payment_amount_micro === null ? null : Number(payment_amount_micro),
      payloadHash: contentHash(payload),
      resultHash: hash,
      model: typeof payload.model === 'string' ? payload.model : null,
      // the price goes to the miner (capped by the hold), the rest back to the client
      settle: (priceMicro) => settleCompletion(tx, state.jobId, minerId, priceMicro, now),
    });
    await tx.query('UPDATE job_views SET receipt_id = $2 WHERE job_id = $1', [state.jobId, receipt.receipt_id]);
    return receipt;
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
      assertCurrentAttempt(state, report.attempt);
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
