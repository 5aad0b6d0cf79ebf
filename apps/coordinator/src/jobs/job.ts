import type {
  JobCompletedData,
  JobErrorInfo,
  JobEvent,
  JobRequirements,
  JobSubmittedData,
  NewJobEvent,
} from './job.events';
import { JobAlreadyTerminalError, JobNotFoundError, JobNotRunningError, NotAssignedMinerError } from './job.errors';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'EXPIRED';
export const TERMINAL: ReadonlySet<JobStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);

/** Miner error codes (DESIGN §3, `MINER_FAIL_CODES`): retryable ones requeue until `max_attempts`. */
const RETRYABLE = new Set<string>(['E_OOM', 'E_NOGPU', 'E_TIMEOUT', 'E_RUNTIME', 'E_MODEL_NOT_FOUND', 'E_LEASE_LOST']);

export interface JobState {
  exists: boolean;
  jobId: string;
  clientId: string;
  status: JobStatus;
  /** attempts started so far (assignments) */
  attempts: number;
  maxAttempts: number;
  timeoutSeconds: number | null;
  ttlSeconds: number;
  expiresAt: string;
  requirements: JobRequirements | null;
  minerId: string | null;
  /** when the current attempt was assigned: the start of the coordinator's own lease time */
  assignedAt: string | null;
  /** miners that held the job in an earlier attempt: their late reports get 409, not 403 */
  formerMiners: string[];
  excludedMiners: string[];
  started: boolean;
  completion: { minerId: string; resultHash: string } | null;
}

export const initialJobState = (): JobState => ({
  exists: false,
  jobId: '',
  clientId: '',
  status: 'QUEUED',
  attempts: 0,
  maxAttempts: 0,
  timeoutSeconds: null,
  ttlSeconds: 0,
  expiresAt: '',
  requirements: null,
  minerId: null,
  assignedAt: null,
  formerMiners: [],
  excludedMiners: [],
  started: false,
  completion: null,
});

export function evolveJob(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case 'JobSubmitted':
      return submitted(event.data);
    case 'JobAssigned':
      return {
        ...state,
        status: 'RUNNING',
        minerId: event.data.miner_id,
        attempts: event.data.attempt,
        assignedAt: event.data.assigned_at,
        started: false,
      };
    case 'JobStarted':
      return { ...state, started: true };
    case 'JobCompleted':
      return {
        ...state,
        status: 'COMPLETED',
        completion: { minerId: event.data.miner_id, resultHash: event.data.result_hash },
      };
    case 'JobFailed':
      return { ...state, status: 'FAILED', ...releaseMiner(state) };
    case 'JobRequeued':
      return {
        ...state,
        status: 'QUEUED',
        expiresAt: event.data.expires_at,
        ...releaseMiner(state),
        excludedMiners: event.data.excluded_miner_id
          ? [...state.excludedMiners, event.data.excluded_miner_id]
          : state.excludedMiners,
      };
    case 'JobCanceled':
      return { ...state, status: 'CANCELED', ...releaseMiner(state) };
    case 'JobExpired':
      return { ...state, status: 'EXPIRED' };
  }
}

function submitted(data: JobSubmittedData): JobState {
  return {
    ...initialJobState(),
    exists: true,
    jobId: data.job_id,
    clientId: data.client_id,
    maxAttempts: data.max_attempts,
    timeoutSeconds: data.timeout_seconds,
    ttlSeconds: data.ttl_seconds,
    expiresAt: data.expires_at,
    requirements: data.requirements,
  };
}

function releaseMiner(state: JobState): Pick<JobState, 'minerId' | 'formerMiners'> {
  return {
    minerId: null,
    formerMiners:
      state.minerId && !state.formerMiners.includes(state.minerId)
        ? [...state.formerMiners, state.minerId]
        : state.formerMiners,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/* ---------- decisions: state + command → events, or a domain error ---------- */

export function decideAssign(state: JobState, minerId: string, now: Date, leaseTtlSeconds: number): NewJobEvent[] {
  if (!state.exists || state.status !== 'QUEUED' || state.excludedMiners.includes(minerId)) {
    return [];
  }
  const at = now.getTime();
  return [
    {
      type: 'JobAssigned',
      data: {
        miner_id: minerId,
        attempt: state.attempts + 1,
        assigned_at: iso(at),
        lease_expires_at: iso(at + leaseTtlSeconds * 1000),
        timeout_at: state.timeoutSeconds ? iso(at + state.timeoutSeconds * 1000) : null,
      },
    },
  ];
}

/** The job as reported on by `minerId`: 404 unknown, 403 never its job, 409 no longer its job. */
function assertRunningUnder(state: JobState, minerId: string): void {
  if (!state.exists) {
    throw new JobNotFoundError();
  }
  if (state.status === 'RUNNING' && state.minerId === minerId) {
    return;
  }
  if (state.minerId === minerId || state.formerMiners.includes(minerId)) {
    throw new JobNotRunningError();
  }
  throw new NotAssignedMinerError();
}

export function decideStart(state: JobState, minerId: string, now: Date): NewJobEvent[] {
  assertRunningUnder(state, minerId);
  if (state.started) {
    return [];
  }
  return [{ type: 'JobStarted', data: { miner_id: minerId, attempt: state.attempts, started_at: now.toISOString() } }];
}

export type CompleteDecision = { replay: true } | { replay: false; events: NewJobEvent[] };

export function decideComplete(
  state: JobState,
  minerId: string,
  report: Pick<JobCompletedData, 'result' | 'metrics' | 'result_hash'>,
  now: Date,
): CompleteDecision {
  if (state.status === 'COMPLETED' && state.completion?.minerId === minerId) {
    if (state.completion.resultHash === report.result_hash) {
      return { replay: true };
    }
    throw new JobNotRunningError('job already completed with a different result');
  }
  assertRunningUnder(state, minerId);
  return {
    replay: false,
    events: [
      {
        type: 'JobCompleted',
        data: { miner_id: minerId, attempt: state.attempts, ...report, completed_at: now.toISOString() },
      },
    ],
  };
}

/** A failed attempt: requeue while attempts remain and the code is retryable, otherwise fail the job. */
function failAttempt(state: JobState, minerId: string, error: JobErrorInfo, now: Date): NewJobEvent[] {
  const at = now.toISOString();
  if (RETRYABLE.has(error.code) && state.attempts < state.maxAttempts) {
    return [
      {
        type: 'JobRequeued',
        data: {
          miner_id: minerId,
          attempt: state.attempts,
          error,
          excluded_miner_id: error.code === 'E_MODEL_NOT_FOUND' ? minerId : null,
          requeued_at: at,
          expires_at: new Date(now.getTime() + state.ttlSeconds * 1000).toISOString(),
        },
      },
    ];
  }
  return [{ type: 'JobFailed', data: { miner_id: minerId, attempt: state.attempts, error, failed_at: at } }];
}

export function decideFail(state: JobState, minerId: string, error: JobErrorInfo, now: Date): NewJobEvent[] {
  assertRunningUnder(state, minerId);
  return failAttempt(state, minerId, error, now);
}

export function decideCancel(state: JobState, by: string, now: Date): NewJobEvent[] {
  if (!state.exists) {
    throw new JobNotFoundError();
  }
  if (TERMINAL.has(state.status)) {
    throw new JobAlreadyTerminalError(state.status);
  }
  return [{ type: 'JobCanceled', data: { by, miner_id: state.minerId, canceled_at: now.toISOString() } }];
}

/** Time-based rules: each applies only if the job is still in the situation the timer was set for. */
export function decideExpire(state: JobState, now: Date): NewJobEvent[] {
  if (!state.exists || state.status !== 'QUEUED' || now.getTime() < Date.parse(state.expiresAt)) {
    return [];
  }
  return [{ type: 'JobExpired', data: { expired_at: now.toISOString() } }];
}

export function decideLeaseLost(state: JobState, minerId: string, attempt: number, now: Date): NewJobEvent[] {
  if (state.status !== 'RUNNING' || state.minerId !== minerId || state.attempts !== attempt) {
    return [];
  }
  return failAttempt(state, minerId, { code: 'E_LEASE_LOST', message: 'the miner stopped heartbeating' }, now);
}

export function decideTimeout(state: JobState, attempt: number, now: Date): NewJobEvent[] {
  if (state.status !== 'RUNNING' || state.attempts !== attempt || !state.minerId) {
    return [];
  }
  return failAttempt(
    state,
    state.minerId,
    { code: 'E_TIMEOUT', message: `the job ran longer than its ${state.timeoutSeconds} s timeout` },
    now,
  );
}
