import { Logger } from '@nestjs/common';
import type { CapabilitiesDto, PolledJobDto } from '@aitbc/contracts';
import { canonicalize } from '@aitbc/crypto';
import type { MinerConfig } from '../config';
import { CoordinatorClient, CoordinatorError } from '../coordinator/coordinator-client';
import { MinerHttpError } from '../http/miner-http-error';
import type { JobExecutor } from '../jobs/job-executor';
import { toCapabilities, type MachineReading } from '../probe/capabilities';
import { readNvidiaSmi, type GpuReading } from '../probe/nvidia-smi';
import type { Probe } from '../probe/probe';
import { backoffMs, jittered, pause } from './backoff';

export type AgentState = 'starting' | 'registering' | 'online' | 'draining' | 'stopped';
export type CoordinatorState = 'unknown' | 'reachable' | 'unreachable';

/** Backoff ceilings while the coordinator is unreachable: short while jobs run, so leases survive. */
const CAP_IDLE_MS = 10_000;
const CAP_BUSY_MS = 5_000;
/** Wrong key or role: retrying fast cannot help, but the operator may fix the coordinator's key list. */
const AUTH_RETRY_MS = 60_000;
/** Shutdown budget, after `drain_timeout_seconds`: stopped runs' last words, then undelivered reports. */
const STOP_GRACE_MS = 10_000;
const REPORT_GRACE_MS = 10_000;
const LOOPS_GRACE_MS = 2_000;
/** Telling the coordinator that this miner drains is a courtesy: it must not hold the drain up. */
const TELL_DRAIN_MS = 5_000;

/**
 * The miner's control loop (DESIGN §4): probe → register → heartbeat and long-poll → run → report.
 * Every loop survives an unreachable coordinator by backing off with jitter; none spins, none throws.
 */
export class MinerAgent {
  private readonly logger = new Logger('agent');
  private readonly stopped = new AbortController();
  private pollAbort = new AbortController();
  private registered: string | null = null;
  private registeredWith: string | null = null;
  private registration: Promise<void> | null = null;
  private reprobe: Promise<void> | null = null;
  /** Aborted after each reprobe, so the probe loop recomputes its wait. */
  private probed = new AbortController();
  private loops: Promise<void>[] = [];
  private gpuReadAt = 0;
  private heartbeatMs: number;
  private gpuCache: GpuReading[] = [];
  state: AgentState = 'starting';
  coordinator: CoordinatorState = 'unknown';
  lastContactAt: Date | null = null;
  reading: MachineReading | null = null;
  capabilities: CapabilitiesDto | null = null;
  minerId: string | null = null;

  constructor(
    private readonly config: MinerConfig,
    private readonly client: CoordinatorClient,
    private readonly probe: Probe,
    readonly executor: JobExecutor,
    private readonly identity: { publicKey: string; created: boolean },
  ) {
    this.heartbeatMs = config.heartbeatIntervalSeconds * 1000;
  }

  get draining(): boolean {
    return this.state === 'draining' || this.state === 'stopped';
  }

  async start(): Promise<void> {
    this.logger.log(
      `${this.identity.created ? 'generated' : 'loaded'} proof key ${this.identity.publicKey} (state in ${this.config.stateDir})`,
    );
    const owed = await this.executor.recover();
    if (owed > 0) {
      this.logger.log(`${owed} job(s) from the previous run are being reported`);
    }
    await this.refreshCapabilities();
    this.loops = [this.registerUntilDone(), this.heartbeatLoop(), this.pollLoop(), this.probeLoop()];
  }

  /** Whether the latest probe saw a GPU: the CLI runner's answer for GPU-bound runs. */
  get hasGpu(): boolean {
    return (this.reading?.gpus.length ?? 0) > 0;
  }

  /** Current GPU readings for /metrics and the dashboard, at most 10 s old (nvidia-smi is not free). */
  async gpus(): Promise<GpuReading[]> {
    if (Date.now() - this.gpuReadAt > 10_000) {
      this.gpuReadAt = Date.now();
      this.gpuCache = (await readNvidiaSmi(this.config.nvidiaSmi)).gpus;
    }
    return this.gpuCache;
  }

  /**
   * Push mode: claim one job from the coordinator and run it. Refused while draining, when every
   * slot is busy, or when the coordinator does not hand this job to this miner.
   */
  async claim(jobId: string): Promise<PolledJobDto> {
    if (this.draining || !this.registered) {
      throw new MinerHttpError(503, 'SERVICE_UNAVAILABLE', `the miner is ${this.state}, not taking jobs`);
    }
    if (this.executor.running.size >= this.config.concurrency) {
      throw new MinerHttpError(409, 'CONFLICT', 'every slot of this miner is busy');
    }
    const job = await this.client.poll(0, this.stopped.signal, jobId);
    this.contact(true);
    if (!job) {
      throw new MinerHttpError(
        409,
        'CONFLICT',
        'the coordinator did not hand this job to this miner (not queued, or its constraints do not match)',
      );
    }
    this.executor.accept(job);
    return job;
  }

  /**
   * A run suggests the probe is stale (a model vanished from Ollama, Ollama went away): probe again
   * now, and hold the next poll until the coordinator has the new capabilities, so this miner does
   * not take the same kind of job straight back.
   */
  requestReprobe(): void {
    this.reprobe ??= this.reprobeNow().finally(() => {
      this.reprobe = null;
    });
  }

  private async reprobeNow(): Promise<void> {
    try {
      if ((await this.refreshCapabilities()) && this.registered && !this.draining) {
        this.logger.log('capabilities changed: registering again');
        this.registered = null;
        await this.registerUntilDone();
      }
    } catch (error) {
      this.logger.warn(`probe failed: ${(error as Error).message}`);
    }
    this.probed.abort();
  }

  /**
   * SIGTERM: take no new jobs, tell the coordinator, let running jobs finish until the drain
   * timeout, stop the rest (each reported as a retryable failure), then wait briefly for reports.
   * Every step has its own deadline and every call to the coordinator its abort signal, so the
   * whole drain ends within `drain_timeout_seconds` + STOP_GRACE_MS + REPORT_GRACE_MS + LOOPS_GRACE_MS
   * (+ 1 s) however unreachable the coordinator is; main.ts gives it `drain_timeout_seconds` + 30 s.
   */
  async drain(): Promise<void> {
    if (this.draining) {
      return;
    }
    this.state = 'draining';
    const startedAt = Date.now();
    const running = this.executor.running.size;
    this.logger.log(
      `draining: ${running} job(s) running, waiting up to ${this.config.drainTimeoutSeconds} s for them to finish`,
    );
    this.pollAbort.abort();
    // told in parallel with the wait (awaited before the end), at most TELL_DRAIN_MS
    const told = this.registered
      ? this.client
          .drain(AbortSignal.any([this.stopped.signal, AbortSignal.timeout(TELL_DRAIN_MS)]))
          .catch((error: Error) => this.logger.warn(`could not tell the coordinator: ${error.message}`))
      : Promise.resolve();
    const finished = await this.executor.idle(startedAt + this.config.drainTimeoutSeconds * 1000);
    if (!finished) {
      this.logger.warn(`drain timeout: stopping ${this.executor.running.size} job(s); they will be requeued`);
      this.executor.stopAll();
      await this.executor.idle(Date.now() + STOP_GRACE_MS);
    }
    const delivered = await this.executor.flush(Date.now() + REPORT_GRACE_MS);
    if (!delivered) {
      this.logger.warn('some job reports could not be delivered; they stay journalled for the next start');
    }
    await told;
    this.state = 'stopped';
    // aborts the heartbeat and register calls still in flight
    this.stopped.abort();
    await Promise.race([
      Promise.allSettled(this.loops),
      new Promise((resolve) => setTimeout(resolve, LOOPS_GRACE_MS).unref()),
    ]);
  }

  /** Stops the loops at once (tests, or a second signal). Running jobs stay journalled. */
  stop(): void {
    this.state = 'stopped';
    this.stopped.abort();
    this.pollAbort.abort();
  }

  private async refreshCapabilities(): Promise<boolean> {
    this.reading = await this.probe.read();
    const next = toCapabilities(this.reading, this.config.price);
    const changed = canonicalize(next) !== this.registeredWith;
    this.capabilities = next;
    return changed;
  }

  private registerUntilDone(): Promise<void> {
    this.registration ??= this.registerLoop().finally(() => {
      this.registration = null;
    });
    return this.registration;
  }

  private async registerLoop(): Promise<void> {
    this.state = this.draining ? this.state : 'registering';
    for (let failures = 1; !this.stopped.signal.aborted && !this.draining; failures += 1) {
      const capabilities = this.capabilities!;
      try {
        const reply = await this.client.register(
          {
            capabilities,
            concurrency: this.config.concurrency,
            ...(this.config.region ? { region: this.config.region } : {}),
            ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
          },
          this.stopped.signal,
        );
        this.contact(true);
        this.registered = reply.session_token;
        this.registeredWith = canonicalize(capabilities);
        this.minerId = reply.miner_id;
        // the coordinator's lease time is what matters: never beat slower than it asks
        const asked = reply.heartbeat_interval_seconds * 1000;
        if (asked > 0 && asked < this.heartbeatMs) {
          this.logger.log(`heartbeating every ${reply.heartbeat_interval_seconds} s, as the coordinator asks`);
          this.heartbeatMs = asked;
        }
        this.state = 'online';
        this.logger.log(
          `registered as ${reply.miner_id}: ${capabilities.gpus.length} GPU(s), models [${capabilities.models.join(', ')}], services [${capabilities.services.join(', ')}]`,
        );
        return;
      } catch (error) {
        if (this.stopped.signal.aborted) {
          return;
        }
        await this.afterFailure('register', error, failures);
      }
    }
  }

  private async heartbeatLoop(): Promise<void> {
    // The registration reply may ask for a shorter interval than configured (a short lease): the
    // first pause must already use it, or a job assigned at once could lose its lease.
    await this.registerUntilDone();
    let failures = 0;
    while (!this.stopped.signal.aborted) {
      await pause(failures === 0 ? jittered(this.heartbeatMs) : this.retryDelay(failures), this.stopped.signal);
      if (this.stopped.signal.aborted) {
        return;
      }
      if (!this.registered) {
        await this.registerUntilDone();
        continue;
      }
      try {
        const reply = await this.client.heartbeat(
          {
            status: this.draining ? 'DRAINING' : 'ONLINE',
            inflight: this.executor.running.size,
            job_ids: this.executor.heldJobIds(),
            metadata: {
              // live load (at most 10 s old), not the last probe's, which may be minutes old
              gpus: (this.reading?.gpus.length ? await this.gpus() : []).map(
                ({ name, utilization_percent, memory_free_mb }) => ({ name, utilization_percent, memory_free_mb }),
              ),
            },
          },
          this.stopped.signal,
        );
        this.contact(true);
        failures = 0;
        if (reply.cancel_job_ids.length > 0) {
          this.executor.cancel(reply.cancel_job_ids);
        }
      } catch (error) {
        if (this.stopped.signal.aborted) {
          return;
        }
        failures += 1;
        if (error instanceof CoordinatorError && error.code === 'MINER_NOT_REGISTERED') {
          this.logger.warn('the coordinator does not know this miner (it may have lost its state): registering again');
          this.registered = null;
          failures = 0;
          continue;
        }
        this.noteFailure('heartbeat', error);
      }
    }
  }

  private async pollLoop(): Promise<void> {
    if (this.config.mode === 'push') {
      this.logger.log('push mode: jobs arrive only through POST /v1/jobs/assign');
      return;
    }
    let failures = 0;
    while (!this.stopped.signal.aborted && !this.draining) {
      await this.executor.slotFree(this.config.concurrency, this.stopped.signal);
      if (!this.registered) {
        await this.registerUntilDone();
        if (!this.registered) {
          await pause(1000, this.stopped.signal);
          continue;
        }
      }
      if (this.reprobe) {
        await this.reprobe;
      }
      if (this.draining || this.stopped.signal.aborted) {
        return;
      }
      try {
        this.pollAbort = new AbortController();
        const job = await this.client.poll(
          this.config.pollWaitSeconds,
          AbortSignal.any([this.pollAbort.signal, this.stopped.signal]),
        );
        this.contact(true);
        failures = 0;
        if (job) {
          this.executor.accept(job);
        }
      } catch (error) {
        if (this.draining || this.stopped.signal.aborted) {
          return;
        }
        failures += 1;
        if (error instanceof CoordinatorError && error.code === 'MINER_NOT_REGISTERED') {
          this.registered = null;
          continue;
        }
        this.noteFailure('poll', error);
        await pause(this.retryDelay(failures, error), this.stopped.signal);
      }
    }
  }

  /**
   * Re-probes every `probe_interval_seconds`; while Ollama is unreachable, every two heartbeats,
   * so its return is noticed quickly. A reprobe triggered by a run restarts the wait.
   */
  private async probeLoop(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      const seconds =
        this.reading?.ollamaModels === null
          ? Math.min(this.config.probeIntervalSeconds, Math.max(2, this.config.heartbeatIntervalSeconds * 2))
          : this.config.probeIntervalSeconds;
      await pause(seconds * 1000, AbortSignal.any([this.stopped.signal, this.probed.signal]));
      if (this.stopped.signal.aborted) {
        return;
      }
      if (this.probed.signal.aborted) {
        this.probed = new AbortController();
        continue;
      }
      this.requestReprobe();
      await this.reprobe;
    }
  }

  private async afterFailure(what: string, error: unknown, failures: number): Promise<void> {
    this.noteFailure(what, error);
    await pause(this.retryDelay(failures, error), this.stopped.signal);
  }

  private retryDelay(failures: number, error?: unknown): number {
    if (error instanceof CoordinatorError) {
      if (error.status === 401 || error.status === 403) {
        return AUTH_RETRY_MS;
      }
      if (error.retryAfterMs !== null) {
        return error.retryAfterMs;
      }
    }
    const cap = Math.min(
      this.config.heartbeatIntervalSeconds * 1000,
      this.executor.running.size > 0 ? CAP_BUSY_MS : CAP_IDLE_MS,
    );
    return backoffMs(failures, 500, cap);
  }

  private noteFailure(what: string, error: unknown): void {
    const unreachable = error instanceof CoordinatorError && error.status === null;
    if (unreachable) {
      this.contact(false, (error as Error).message);
      return;
    }
    if (error instanceof CoordinatorError && (error.status === 401 || error.status === 403)) {
      this.logger.error(
        `${what} refused (${error.message}): check MINER_API_KEY; retrying in ${AUTH_RETRY_MS / 1000} s`,
      );
      return;
    }
    this.logger.warn(`${what} failed: ${(error as Error).message}`);
  }

  /** Logs each change of reachability once, not every failed call. */
  private contact(reachable: boolean, reason?: string): void {
    const next: CoordinatorState = reachable ? 'reachable' : 'unreachable';
    if (reachable) {
      this.lastContactAt = new Date();
    }
    if (next !== this.coordinator) {
      if (reachable) {
        this.logger.log(`coordinator ${this.config.coordinatorUrl} is reachable`);
      } else {
        this.logger.warn(`coordinator ${this.config.coordinatorUrl} is unreachable (${reason}); backing off`);
      }
      this.coordinator = next;
    }
  }
}
