import { Logger } from '@nestjs/common';
import type { PolledJobDto } from '@aitbc/contracts';
import { backoffMs, pause } from '../agent/backoff';
import { CoordinatorClient, CoordinatorError, type ReportAttempt } from '../coordinator/coordinator-client';
import type { MinerKey } from '../identity/miner-key';
import type { MinerFailCode, RunOutcome, Runner } from '../runners/runner';
import { attemptFolder, JobJournal, type JobReport, type JournalEntry } from './job-journal';
import { MinerStats, type JobOutcomeKind } from './miner-stats';

/**
 * Why a running job was stopped from outside its runner: the coordinator canceled it, the daemon
 * shuts down, or the coordinator handed this miner a newer attempt of the same job.
 */
type StopReason = 'canceled' | 'shutdown' | 'superseded';

export interface RunningJob {
  entry: JournalEntry;
  runner: string;
  startedAt: number;
  controller: AbortController;
  stopReason: StopReason | null;
}

/** How long to wait between tries of one report. */
export interface ReportRetry {
  /** Unreachable coordinator, 5xx, 429: from `baseMs` doubling up to `capMs` (or the Retry-After). */
  baseMs: number;
  capMs: number;
  /** 401/403 (a rotated or wrong key): from `capMs` doubling up to `authCapMs`, until the operator fixes it. */
  authCapMs: number;
}

export interface ExecutorOptions {
  maxJobSeconds: number;
  /** Called when a run shows the probe is stale (a model Ollama no longer has). */
  onStaleCapabilities: () => void;
  retry?: ReportRetry;
}

const DEFAULT_RETRY: ReportRetry = { baseMs: 500, capMs: 5000, authCapMs: 60_000 };

/** Failures that may mean the machine changed (a model gone, Ollama down, a GPU lost): probe again. */
const STALE_PROBE_CODES = new Set<MinerFailCode>(['E_MODEL_NOT_FOUND', 'E_RUNTIME', 'E_NOGPU']);

const RESTARTED: { code: MinerFailCode; message: string } = {
  code: 'E_RUNTIME',
  message: 'the miner restarted while the job was running',
};

/** One report on its way to the coordinator, for one attempt at a job. */
interface Delivery {
  /** The attempt's journal folder (also the key of `delivering`). */
  folder: string;
  jobId: string;
  attempt: ReportAttempt;
  controller: AbortController;
  /** Set when a newer attempt of the job arrived: the report is stale and is dropped. */
  superseded: number | null;
  done: Promise<void>;
}

/**
 * Runs accepted jobs and makes sure the coordinator hears how each ended, exactly once: the
 * outcome is journalled before it is sent, sending is retried until the coordinator answers, and a
 * restarted miner sends whatever its previous run still owed. Everything is kept per attempt
 * (journal folder, workspace, report), and each report names its attempt: a late report on an
 * earlier attempt can never complete, fail or delete the files of the attempt running now.
 */
export class JobExecutor {
  private readonly logger = new Logger('jobs');
  /** By job id: the coordinator has one current attempt per job, and cancels by job id. */
  readonly running = new Map<string, RunningJob>();
  /** By attempt folder: an old attempt's report may still be owed while the next attempt runs. */
  private readonly delivering = new Map<string, Delivery>();
  private readonly stopDelivery = new AbortController();
  private slotWaiters: (() => void)[] = [];
  private readonly retry: ReportRetry;

  constructor(
    private readonly client: CoordinatorClient,
    private readonly journal: JobJournal,
    private readonly runners: Runner[],
    private readonly key: MinerKey,
    readonly stats: MinerStats,
    private readonly options: ExecutorOptions,
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Jobs whose lease this miner still needs: running, or finished with the report not yet delivered. */
  heldJobIds(): string[] {
    return [...new Set([...this.running.keys(), ...[...this.delivering.values()].map((d) => d.jobId)])];
  }

  get pendingReports(): number {
    return this.delivering.size;
  }

  /** Resolves once fewer than `concurrency` jobs run, or `signal` aborts. */
  async slotFree(concurrency: number, signal: AbortSignal): Promise<void> {
    while (this.running.size >= concurrency && !signal.aborted) {
      await new Promise<void>((resolve) => {
        // the signal lives as long as the daemon: take the listener off again, whichever fires
        const wake = () => {
          signal.removeEventListener('abort', wake);
          this.slotWaiters = this.slotWaiters.filter((waiter) => waiter !== wake);
          resolve();
        };
        this.slotWaiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Reports what a previous run of this miner left unfinished. */
  async recover(): Promise<number> {
    const leftovers = await this.journal.leftovers();
    for (const { name, jobId, attempt, entry } of leftovers) {
      const report: JobReport = entry?.report ?? {
        kind: 'fail',
        body: { error_code: RESTARTED.code, error_message: RESTARTED.message },
      };
      this.logger.warn(
        `job ${jobId} was left ${entry?.phase === 'finished' ? 'finished but unreported' : 'running'} by a previous run: reporting ${report.kind === 'result' ? 'its result' : report.body.error_code}${attempt === null ? '' : ` (attempt ${attempt})`}`,
      );
      if (attempt !== null) {
        // two attempts of one job journalled: only the later can still matter
        this.supersedeDeliveries(jobId, attempt);
      }
      this.deliver(
        { folder: name, jobId, attempt },
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
    const current = this.running.get(job.job_id);
    if (current && current.entry.attempt >= job.attempt) {
      this.logger.warn(`job ${job.job_id}: attempt ${job.attempt} is already running here; not starting it twice`);
      return;
    }
    this.supersede(job.job_id, job.attempt);
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

  /**
   * Waits for outstanding reports until the deadline, then stops retrying and abandons the calls
   * still in flight (the journal keeps those reports for the next start).
   */
  async flush(deadline: number): Promise<boolean> {
    const all = Promise.allSettled([...this.delivering.values()].map((delivery) => delivery.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    this.stopDelivery.abort();
    if (timedOut) {
      // the abandoned calls settle at once (their signal aborted): let them log what they keep
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    return !timedOut;
  }

  /**
   * The coordinator handed this miner attempt `attempt` of a job it still has an earlier attempt
   * of: that attempt was requeued meanwhile (its lease ran out, or its timeout), so its run and its
   * report no longer count. Stop the run and drop the report — only their own folders go.
   */
  private supersede(jobId: string, attempt: number): void {
    const older = this.running.get(jobId);
    if (older && older.entry.attempt < attempt) {
      this.logger.warn(
        `job ${jobId}: the coordinator handed over attempt ${attempt} while attempt ${older.entry.attempt} still runs here; stopping the stale run`,
      );
      this.running.delete(jobId);
      if (older.stopReason === null) {
        older.controller.abort(new Error('superseded'));
      }
      older.stopReason = 'superseded';
    }
    this.supersedeDeliveries(jobId, attempt);
  }

  private supersedeDeliveries(jobId: string, attempt: number): void {
    for (const delivery of this.delivering.values()) {
      if (delivery.jobId === jobId && delivery.attempt !== attempt && delivery.superseded === null) {
        delivery.superseded = attempt;
        delivery.controller.abort(new Error('superseded'));
      }
    }
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
    if (running.stopReason === 'canceled' || running.stopReason === 'superseded') {
      await this.forget(running, elapsed);
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
    if ((running.stopReason as StopReason | null) === 'superseded') {
      // a newer attempt arrived while the outcome was being journalled
      await this.forget(running, elapsed);
      return;
    }
    this.release(running);
    this.deliver(
      { folder: attemptFolder(running.entry), jobId: job.job_id, attempt: job.attempt },
      running.entry.summary,
      report,
      running.stopReason === 'shutdown' ? 'interrupted' : null,
      elapsed,
    );
  }

  /** A canceled or superseded run: nothing to report; its own folder goes. */
  private async forget(running: RunningJob, elapsed: number): Promise<void> {
    this.release(running);
    await this.journal
      .remove(running.entry)
      .catch((error: Error) =>
        this.logger.warn(`job ${running.entry.job_id}: cannot remove its folder (${error.message})`),
      );
    this.record(running.entry, running.stopReason === 'canceled' ? 'canceled' : 'interrupted', null, elapsed, null);
  }

  private run(job: PolledJobDto, runner: Runner, running: RunningJob): Promise<RunOutcome> {
    const seconds = Math.min(job.timeout_seconds ?? this.options.maxJobSeconds, this.options.maxJobSeconds);
    return runner.run({
      jobId: job.job_id,
      payload: job.payload,
      workspace: this.journal.workDir(running.entry),
      signal: running.controller.signal,
      timeoutMs: seconds * 1000,
    });
  }

  /** Frees the run's slot; a superseded run's slot already went to the newer attempt. */
  private release(running: RunningJob): void {
    if (this.running.get(running.entry.job_id) === running) {
      this.running.delete(running.entry.job_id);
    }
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    waiters.forEach((wake) => wake());
  }

  private deliver(
    target: Pick<Delivery, 'folder' | 'jobId' | 'attempt'>,
    summary: string,
    report: JobReport,
    kind: JobOutcomeKind | null,
    durationMs: number | null,
  ): void {
    const controller = new AbortController();
    const delivery: Delivery = { ...target, controller, superseded: null, done: Promise.resolve() };
    const signal = AbortSignal.any([controller.signal, this.stopDelivery.signal]);
    const { folder, jobId } = target;
    delivery.done = this.send(target, report, signal)
      .then(
        async ({ sent, receipt, accepted }) => {
          await this.journal.remove(folder);
          // a report the coordinator no longer wanted counts as neither a completion nor a failure here
          const outcome: JobOutcomeKind = !accepted
            ? 'interrupted'
            : (kind ?? (sent.kind === 'result' ? 'completed' : 'failed'));
          const errorCode = sent.kind === 'fail' ? sent.body.error_code : null;
          this.record({ job_id: jobId, summary }, outcome, errorCode, durationMs, receipt);
        },
        async (error: Error) => {
          if (delivery.superseded !== null) {
            this.logger.warn(
              `job ${jobId}: report no longer accepted (it is on attempt ${target.attempt ?? '?'}, and the coordinator has handed over attempt ${delivery.superseded}); dropping it`,
            );
            await this.journal.remove(folder);
            this.record({ job_id: jobId, summary }, 'interrupted', null, durationMs, null);
            return;
          }
          this.logger.warn(`job ${jobId}: report kept in the journal for the next start (${error.message})`);
        },
      )
      .catch((error: Error) => this.logger.error(`job ${jobId}: ${error.message}`))
      .finally(() => {
        if (this.delivering.get(folder) === delivery) {
          this.delivering.delete(folder);
        }
      });
    this.delivering.set(folder, delivery);
  }

  /**
   * Sends one report until the coordinator answers, naming its attempt. A refusal that will not
   * change (the job was requeued, canceled or reassigned meanwhile: 404/409) ends it; a refused key
   * (401/403: rotated or misconfigured) keeps it and retries slowly, as the operator may fix the key.
   * A result the coordinator cannot take becomes a failure report so the job does not wait out its
   * lease: too large (413) is terminal, E_BAD_INPUT — running it again would give the same output.
   */
  private async send(
    target: Pick<Delivery, 'jobId' | 'attempt'>,
    report: JobReport,
    signal: AbortSignal,
  ): Promise<{ sent: JobReport; receipt: Record<string, unknown> | null; accepted: boolean }> {
    const { jobId, attempt } = target;
    let current = report;
    let failures = 0;
    let authFailures = 0;
    for (;;) {
      try {
        if (current.kind === 'result') {
          const reply = await this.client.result(jobId, attempt, current.body, signal);
          const receiptId = reply.receipt?.receipt_id;
          this.logger.log(`job ${jobId} completed; receipt ${typeof receiptId === 'string' ? receiptId : '?'}`);
          return { sent: current, receipt: reply.receipt ?? null, accepted: true };
        }
        const reply = await this.client.fail(jobId, attempt, current.body, signal);
        this.logger.log(
          `job ${jobId} failed with ${current.body.error_code}${reply.requeued ? ' (requeued by the coordinator)' : ''}`,
        );
        return { sent: current, receipt: null, accepted: true };
      } catch (error) {
        if (signal.aborted) {
          throw error;
        }
        if (!(error instanceof CoordinatorError)) {
          this.logger.warn(`job ${jobId}: report failed (${(error as Error).message}); dropping it`);
          return { sent: current, receipt: null, accepted: false };
        }
        const status = error.status;
        if (current.kind === 'result' && status === 413) {
          const bytes = Buffer.byteLength(JSON.stringify(current.body));
          this.logger.warn(
            `job ${jobId}: the coordinator refused the result as too large (${bytes} bytes): raise its RESULT_BODY_LIMIT_BYTES or lower the tool's max_output_bytes`,
          );
          current = {
            kind: 'fail',
            body: {
              error_code: 'E_BAD_INPUT',
              error_message: `result too large for the coordinator (${bytes} bytes)`,
              ...(current.body.metrics ? { metrics: current.body.metrics } : {}),
            },
          };
          continue;
        }
        if (current.kind === 'result' && status === 422) {
          this.logger.warn(`job ${jobId}: the coordinator refused the result (${error.message})`);
          current = {
            kind: 'fail',
            body: { error_code: 'E_RUNTIME', error_message: `result refused by the coordinator (${status})` },
          };
          continue;
        }
        let delay: number;
        if (status === 401 || status === 403) {
          authFailures += 1;
          delay = backoffMs(authFailures, this.retry.capMs, this.retry.authCapMs);
          const log = `job ${jobId}: report refused (${error.message}): check MINER_API_KEY; keeping it, retrying in ${Math.round(delay / 1000)} s`;
          if (authFailures === 1) {
            this.logger.error(log);
          } else {
            this.logger.debug(log);
          }
        } else if (!error.retryable) {
          this.logger.warn(`job ${jobId}: report no longer accepted (${error.message}); dropping it`);
          return { sent: current, receipt: null, accepted: false };
        } else {
          failures += 1;
          delay = error.retryAfterMs ?? backoffMs(failures, this.retry.baseMs, this.retry.capMs);
          this.logger.debug(`job ${jobId}: report failed (${error.message}); retrying in ${delay} ms`);
        }
        await pause(delay, signal);
        if (signal.aborted) {
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
