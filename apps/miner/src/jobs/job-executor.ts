import { Logger } from '@nestjs/common';
import type { PolledJobDto } from '@aitbc/contracts';
import { backoffMs, pause } from '../agent/backoff';
import { CoordinatorClient, CoordinatorError } from '../coordinator/coordinator-client';
import type { MinerKey } from '../identity/miner-key';
import type { MinerFailCode, RunOutcome, Runner } from '../runners/runner';
import { JobJournal, type JobReport, type JournalEntry } from './job-journal';
import { MinerStats, type JobOutcomeKind } from './miner-stats';

/** Why a running job was stopped from outside its runner. */
type StopReason = 'canceled' | 'shutdown';

export interface RunningJob {
  entry: JournalEntry;
  runner: string;
  startedAt: number;
  controller: AbortController;
  stopReason: StopReason | null;
}

export interface ExecutorOptions {
  maxJobSeconds: number;
  /** Called when a run shows the probe is stale (a model Ollama no longer has). */
  onStaleCapabilities: () => void;
}

/** Failures that may mean the machine changed (a model gone, Ollama down, a GPU lost): probe again. */
const STALE_PROBE_CODES = new Set<MinerFailCode>(['E_MODEL_NOT_FOUND', 'E_RUNTIME', 'E_NOGPU']);

const RESTARTED: { code: MinerFailCode; message: string } = {
  code: 'E_RUNTIME',
  message: 'the miner restarted while the job was running',
};

/**
 * Runs accepted jobs and makes sure the coordinator hears how each ended, exactly once: the
 * outcome is journalled before it is sent, sending is retried until the coordinator answers, and a
 * restarted miner sends whatever its previous run still owed.
 */
export class JobExecutor {
  private readonly logger = new Logger('jobs');
  readonly running = new Map<string, RunningJob>();
  private readonly delivering = new Map<string, Promise<void>>();
  private readonly stopDelivery = new AbortController();
  private slotWaiters: (() => void)[] = [];

  constructor(
    private readonly client: CoordinatorClient,
    private readonly journal: JobJournal,
    private readonly runners: Runner[],
    private readonly key: MinerKey,
    readonly stats: MinerStats,
    private readonly options: ExecutorOptions,
  ) {}

  /** Jobs whose lease this miner still needs: running, or finished with the report not yet delivered. */
  heldJobIds(): string[] {
    return [...new Set([...this.running.keys(), ...this.delivering.keys()])];
  }

  get pendingReports(): number {
    return this.delivering.size;
  }

  /** Resolves once fewer than `concurrency` jobs run. */
  async slotFree(concurrency: number, signal: AbortSignal): Promise<void> {
    while (this.running.size >= concurrency && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.slotWaiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  /** Reports what a previous run of this miner left unfinished. */
  async recover(): Promise<number> {
    const leftovers = await this.journal.leftovers();
    for (const { jobId, entry } of leftovers) {
      const report: JobReport = entry?.report ?? {
        kind: 'fail',
        body: { error_code: RESTARTED.code, error_message: RESTARTED.message },
      };
      this.logger.warn(
        `job ${jobId} was left ${entry?.phase === 'finished' ? 'finished but unreported' : 'running'} by a previous run: reporting ${report.kind === 'result' ? 'its result' : report.body.error_code}`,
      );
      this.deliver(
        jobId,
        entry?.summary ?? 'recovered job',
        report,
        entry?.phase === 'finished' ? null : 'interrupted',
        null,
      );
    }
    return leftovers.length;
  }

  /** Starts a job the coordinator leased to this miner. Returns at once; the run goes on in the background. */
  accept(job: PolledJobDto): void {
    const runner = this.runners.find((candidate) => candidate.accepts(job.payload)) ?? null;
    const entry: JournalEntry = {
      job_id: job.job_id,
      attempt: job.attempt,
      accepted_at: new Date().toISOString(),
      lease_expires_at: job.lease_expires_at,
      phase: 'running',
      summary: summarize(runner?.name ?? 'none', job.payload),
    };
    const running: RunningJob = {
      entry,
      runner: runner?.name ?? 'none',
      startedAt: Date.now(),
      controller: new AbortController(),
      stopReason: null,
    };
    this.running.set(job.job_id, running);
    this.logger.log(`job ${job.job_id} accepted (attempt ${job.attempt}): ${entry.summary}`);
    void this.execute(job, runner, running);
  }

  /** The coordinator canceled these jobs: stop their runners and report nothing. */
  cancel(jobIds: string[]): void {
    for (const jobId of jobIds) {
      const job = this.running.get(jobId);
      if (job && job.stopReason === null) {
        this.logger.log(`job ${jobId} canceled by the coordinator: stopping its runner`);
        job.stopReason = 'canceled';
        job.controller.abort(new Error('canceled'));
      }
    }
  }

  /** Shutdown: stop every run still going; each reports a retryable failure so it is requeued. */
  stopAll(): void {
    for (const job of this.running.values()) {
      if (job.stopReason === null) {
        job.stopReason = 'shutdown';
        job.controller.abort(new Error('shutdown'));
      }
    }
  }

  /** Waits until no job runs, or the deadline passes. */
  async idle(deadline: number): Promise<boolean> {
    while (this.running.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.slotWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.running.size === 0;
  }

  /** Waits for outstanding reports until the deadline, then stops retrying (the journal keeps them). */
  async flush(deadline: number): Promise<boolean> {
    const all = Promise.allSettled([...this.delivering.values()]);
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), Math.max(0, deadline - Date.now())).unref()),
    ]);
    this.stopDelivery.abort();
    return !timedOut;
  }

  private async execute(job: PolledJobDto, runner: Runner | null, running: RunningJob): Promise<void> {
    let outcome: RunOutcome;
    try {
      await this.journal.begin(running.entry);
      outcome = runner
        ? await this.run(job, runner, running)
        : { ok: false, code: 'E_BAD_INPUT', message: `this miner has no runner for ${payloadKind(job.payload)}` };
    } catch (error) {
      outcome = { ok: false, code: 'E_RUNTIME', message: `runner crashed: ${(error as Error).message}` };
    }
    const elapsed = Date.now() - running.startedAt;
    if (running.stopReason === 'canceled') {
      this.release(job.job_id);
      await this.journal.remove(job.job_id);
      this.record(running.entry, 'canceled', null, elapsed, null);
      return;
    }
    if (running.stopReason === 'shutdown') {
      outcome = { ok: false, code: 'E_RUNTIME', message: 'the miner shut down before the job finished' };
    }
    if (!outcome.ok && STALE_PROBE_CODES.has(outcome.code)) {
      this.options.onStaleCapabilities();
    }
    const report: JobReport = outcome.ok
      ? {
          kind: 'result',
          body: { result: outcome.result, metrics: outcome.metrics, proof: this.key.proof(outcome.result) },
        }
      : {
          kind: 'fail',
          body: {
            error_code: outcome.code,
            error_message: outcome.message.slice(0, 2000),
            ...(outcome.metrics ? { metrics: outcome.metrics } : {}),
          },
        };
    try {
      await this.journal.finish(running.entry, report);
    } catch (error) {
      this.logger.error(`job ${job.job_id}: cannot journal its outcome (${(error as Error).message})`);
    }
    this.release(job.job_id);
    this.deliver(
      job.job_id,
      running.entry.summary,
      report,
      running.stopReason === 'shutdown' ? 'interrupted' : null,
      elapsed,
    );
  }

  private run(job: PolledJobDto, runner: Runner, running: RunningJob): Promise<RunOutcome> {
    const seconds = Math.min(job.timeout_seconds ?? this.options.maxJobSeconds, this.options.maxJobSeconds);
    return runner.run({
      jobId: job.job_id,
      payload: job.payload,
      workspace: this.journal.workDir(job.job_id),
      signal: running.controller.signal,
      timeoutMs: seconds * 1000,
    });
  }

  private release(jobId: string): void {
    this.running.delete(jobId);
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    waiters.forEach((wake) => wake());
  }

  private deliver(
    jobId: string,
    summary: string,
    report: JobReport,
    kind: JobOutcomeKind | null,
    durationMs: number | null,
  ): void {
    const delivery = this.send(jobId, report).then(
      async (receipt) => {
        await this.journal.remove(jobId);
        const outcome: JobOutcomeKind = kind ?? (report.kind === 'result' ? 'completed' : 'failed');
        const errorCode = report.kind === 'fail' ? report.body.error_code : null;
        this.record({ job_id: jobId, summary }, outcome, errorCode, durationMs, receipt);
      },
      (error: Error) => {
        this.logger.warn(`job ${jobId}: report kept in the journal for the next start (${error.message})`);
      },
    );
    this.delivering.set(
      jobId,
      delivery.finally(() => this.delivering.delete(jobId)),
    );
  }

  /**
   * Sends one report until the coordinator answers. A refusal that will not change (the job was
   * requeued, canceled or reassigned meanwhile) ends it too; a result the coordinator cannot accept
   * becomes a failure report so the job does not wait out its lease.
   */
  private async send(jobId: string, report: JobReport): Promise<Record<string, unknown> | null> {
    let current = report;
    for (let failures = 1; ; failures += 1) {
      try {
        if (current.kind === 'result') {
          const reply = await this.client.result(jobId, current.body);
          const receiptId = reply.receipt?.receipt_id;
          this.logger.log(`job ${jobId} completed; receipt ${typeof receiptId === 'string' ? receiptId : '?'}`);
          return reply.receipt ?? null;
        }
        const reply = await this.client.fail(jobId, current.body);
        this.logger.log(
          `job ${jobId} failed with ${current.body.error_code}${reply.requeued ? ' (requeued by the coordinator)' : ''}`,
        );
        return null;
      } catch (error) {
        if (!(error instanceof CoordinatorError) || !error.retryable) {
          const status = error instanceof CoordinatorError ? error.status : null;
          if (current.kind === 'result' && (status === 413 || status === 422)) {
            this.logger.warn(`job ${jobId}: the coordinator refused the result (${(error as Error).message})`);
            current = {
              kind: 'fail',
              body: { error_code: 'E_RUNTIME', error_message: `result refused by the coordinator (${status})` },
            };
            continue;
          }
          this.logger.warn(`job ${jobId}: report no longer accepted (${(error as Error).message}); dropping it`);
          return null;
        }
        if (this.stopDelivery.signal.aborted) {
          throw error;
        }
        const delay = error.retryAfterMs ?? backoffMs(failures, 500, 5000);
        this.logger.debug(`job ${jobId}: report failed (${error.message}); retrying in ${delay} ms`);
        await pause(delay, this.stopDelivery.signal);
        if (this.stopDelivery.signal.aborted) {
          throw error;
        }
      }
    }
  }

  private record(
    entry: Pick<JournalEntry, 'job_id' | 'summary'>,
    outcome: JobOutcomeKind,
    errorCode: string | null,
    durationMs: number | null,
    receipt: Record<string, unknown> | null,
  ): void {
    this.stats.record({
      job_id: entry.job_id,
      summary: entry.summary,
      outcome,
      error_code: errorCode,
      duration_ms: durationMs,
      price: typeof receipt?.price === 'string' ? receipt.price : null,
      receipt_id: typeof receipt?.receipt_id === 'string' ? receipt.receipt_id : null,
      finished_at: new Date().toISOString(),
    });
  }
}

function payloadKind(payload: Record<string, unknown>): string {
  const kind = payload.service_type ?? payload.type;
  return typeof kind === 'string' ? `payload type "${kind.slice(0, 64)}"` : 'this payload (no type or service_type)';
}

/** "ollama llama3.2:latest" — enough to recognise a job on the dashboard, never its content. */
export function summarize(runner: string, payload: Record<string, unknown>): string {
  const request = (payload.service_request ?? {}) as Record<string, unknown>;
  const detail = [payload.model, request.model, payload.tool, request.output_format].find(
    (value): value is string => typeof value === 'string',
  );
  const kind = payload.service_type ?? payload.type;
  return [runner, typeof kind === 'string' ? kind : null, detail ?? null]
    .filter((part): part is string => part !== null)
    .map((part) => part.slice(0, 64))
    .join(' ');
}
