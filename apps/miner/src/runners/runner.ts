import type { MINER_FAIL_CODES } from '@aitbc/contracts';

/** A failure code the coordinator understands (DESIGN §3 "Miner error codes"). */
export type MinerFailCode = (typeof MINER_FAIL_CODES)[number];

/** What a runner may report about its work; the coordinator bills `gpu_seconds` (else `duration_ms`). */
export interface RunMetrics {
  duration_ms: number;
  gpu_seconds?: number;
  compute_time?: number;
  tokens_generated?: number;
  prompt_tokens?: number;
  [key: string]: unknown;
}

/** Everything one run needs. The runner owns nothing outside `workspace`. */
export interface RunContext {
  jobId: string;
  payload: Record<string, unknown>;
  /** A directory for this job only; created before the run, removed by the caller afterwards. */
  workspace: string;
  /** Aborted on cancel, drain deadline or the job's timeout; the runner must stop promptly. */
  signal: AbortSignal;
  /** The job's own timeout (from the coordinator), already capped by the runner's configured maximum. */
  timeoutMs: number;
}

export type RunOutcome =
  | { ok: true; result: Record<string, unknown>; metrics: RunMetrics }
  | {
      ok: false;
      code: MinerFailCode;
      message: string;
      metrics?: RunMetrics;
      /**
       * Set when the run stopped because `signal` aborted for any reason but a timeout (cancel, drain):
       * the job is not the runner's failure, so the daemon decides whether to report it at all.
       * A signal aborted with a `TimeoutError` DOMException is reported as `E_TIMEOUT` instead.
       */
      canceled?: true;
    };

/** One kind of work the miner can do. `services` are advertised in the capabilities. */
export interface Runner {
  readonly name: string;
  /** True when this runner understands the payload (its shape, not whether it will succeed). */
  accepts(payload: Record<string, unknown>): boolean;
  run(context: RunContext): Promise<RunOutcome>;
}
