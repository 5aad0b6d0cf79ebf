import type {
  CapabilitiesDto,
  ErrorEnvelope,
  PolledJobDto,
  ProofDto,
  RegisterMinerResponseDto,
} from '@aitbc/contracts';
import type { MinerFailCode } from '../runners/runner';

/**
 * A failed call to the coordinator. `status` is null when it could not be reached at all;
 * `retryable` says whether the same call may succeed later (network, 5xx, 429).
 */
export class CoordinatorError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string | null,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }

  get retryable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export interface RegisterBody {
  capabilities: CapabilitiesDto;
  concurrency: number;
  region?: string;
  endpoint?: string;
}

export interface ResultBody {
  result: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  proof?: ProofDto;
}

export interface FailBody {
  error_code: MinerFailCode;
  error_message: string;
  metrics?: Record<string, unknown>;
}

/**
 * The attempt a report is about (the poll reply's `attempt`): the coordinator answers 409 when it
 * is no longer the job's current attempt, so a late report never lands on a newer run of the job.
 * Null only for a record of the journal's old layout whose attempt is unknown.
 */
export type ReportAttempt = number | null;

const REQUEST_TIMEOUT_MS = 15_000;
const RESULT_TIMEOUT_MS = 60_000;

function withAttempt<T extends object>(body: T, attempt: ReportAttempt): T & { attempt?: number } {
  return attempt === null ? body : { ...body, attempt };
}

/** The miner's side of DESIGN §3 "Miners": one method per route, errors as CoordinatorError. */
export class CoordinatorClient {
  constructor(private readonly options: { baseUrl: string; apiKey: string | null; minerId: string | null }) {}

  register(body: RegisterBody, signal?: AbortSignal): Promise<RegisterMinerResponseDto> {
    return this.call(
      'POST',
      '/v1/miners/register',
      body,
      REQUEST_TIMEOUT_MS,
      signal,
    ) as Promise<RegisterMinerResponseDto>;
  }

  heartbeat(
    body: {
      status: 'ONLINE' | 'DRAINING';
      inflight: number;
      job_ids: string[];
      metadata?: Record<string, unknown>;
    },
    signal?: AbortSignal,
  ): Promise<{ status: 'ok'; cancel_job_ids: string[] }> {
    return this.call('POST', '/v1/miners/heartbeat', body, REQUEST_TIMEOUT_MS, signal) as Promise<{
      status: 'ok';
      cancel_job_ids: string[];
    }>;
  }

  /** Long-poll for work; null when none arrived in `maxWaitSeconds`. `jobId` claims one job (push mode). */
  async poll(maxWaitSeconds: number, signal?: AbortSignal, jobId?: string): Promise<PolledJobDto | null> {
    const body = jobId ? { max_wait_seconds: maxWaitSeconds, job_id: jobId } : { max_wait_seconds: maxWaitSeconds };
    const reply = await this.call('POST', '/v1/miners/poll', body, (maxWaitSeconds + 15) * 1000, signal);
    return (reply as PolledJobDto | null) ?? null;
  }

  result(
    jobId: string,
    attempt: ReportAttempt,
    body: ResultBody,
    signal?: AbortSignal,
  ): Promise<{ status: 'ok'; receipt: Record<string, unknown> }> {
    return this.call(
      'POST',
      `/v1/miners/${jobId}/result`,
      withAttempt(body, attempt),
      // a large result (inline CLI outputs) takes longer to upload than a heartbeat
      RESULT_TIMEOUT_MS,
      signal,
    ) as Promise<{ status: 'ok'; receipt: Record<string, unknown> }>;
  }

  fail(
    jobId: string,
    attempt: ReportAttempt,
    body: FailBody,
    signal?: AbortSignal,
  ): Promise<{ status: 'ok'; requeued: boolean }> {
    return this.call(
      'POST',
      `/v1/miners/${jobId}/fail`,
      withAttempt(body, attempt),
      REQUEST_TIMEOUT_MS,
      signal,
    ) as Promise<{ status: 'ok'; requeued: boolean }>;
  }

  drain(signal?: AbortSignal): Promise<unknown> {
    return this.call('POST', '/v1/miners/drain', {}, REQUEST_TIMEOUT_MS, signal);
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    timeoutMs = REQUEST_TIMEOUT_MS,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'aitbc-miner/0.1',
    };
    if (this.options.apiKey) {
      headers['x-api-key'] = this.options.apiKey;
    }
    if (this.options.minerId) {
      headers['x-miner-id'] = this.options.minerId;
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const reason =
        (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      throw new CoordinatorError(null, null, `coordinator unreachable: ${reason}`);
    }
    if (response.status === 204) {
      return null;
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const envelope = parsed as Partial<ErrorEnvelope> | null;
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new CoordinatorError(
        response.status,
        envelope?.error?.code ?? null,
        `${method} ${path} → ${response.status}: ${envelope?.detail ?? (text.slice(0, 200) || response.statusText)}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      );
    }
    return parsed;
  }
}
