import type { EventDefinition, StreamEvent } from '@aitbc/event-store';

/** What a job needs from a miner, normalised for matching (lower-case names, VRAM in MB, CUDA as major*1000+minor). */
export interface JobRequirements {
  models: string[];
  services: string[];
  gpu: string | null;
  min_vram_mb: number | null;
  min_cuda: number | null;
  region: string | null;
  max_price_micro: number | null;
}

export interface JobSubmittedData {
  job_id: string;
  client_id: string;
  payload: Record<string, unknown>;
  constraints: Record<string, unknown>;
  requirements: JobRequirements;
  ttl_seconds: number;
  timeout_seconds: number | null;
  max_attempts: number;
  priority: number;
  payment_amount_micro: number | null;
  payment_currency: string;
  webhook_url: string | null;
  requested_at: string;
  expires_at: string;
}

export interface JobAssignedData {
  miner_id: string;
  attempt: number;
  assigned_at: string;
  lease_expires_at: string;
  timeout_at: string | null;
}

export interface JobStartedData {
  miner_id: string;
  attempt: number;
  started_at: string;
}

export interface JobCompletedData {
  miner_id: string;
  attempt: number;
  result: Record<string, unknown>;
  metrics: Record<string, unknown>;
  result_hash: string;
  completed_at: string;
}

export interface JobErrorInfo {
  code: string;
  message: string;
}

export interface JobFailedData {
  miner_id: string | null;
  attempt: number;
  error: JobErrorInfo;
  failed_at: string;
}

export interface JobRequeuedData {
  miner_id: string;
  attempt: number;
  error: JobErrorInfo;
  /** a miner that must not get this job again (it lacks the model, say) */
  excluded_miner_id: string | null;
  requeued_at: string;
  /** a requeued job gets a fresh queue TTL: it was picked once, and waits anew for a miner */
  expires_at: string;
}

export interface JobCanceledData {
  by: string;
  miner_id: string | null;
  canceled_at: string;
}

export interface JobExpiredData {
  expired_at: string;
}

export type JobEvent =
  | StreamEvent<'JobSubmitted', JobSubmittedData>
  | StreamEvent<'JobAssigned', JobAssignedData>
  | StreamEvent<'JobStarted', JobStartedData>
  | StreamEvent<'JobCompleted', JobCompletedData>
  | StreamEvent<'JobFailed', JobFailedData>
  | StreamEvent<'JobRequeued', JobRequeuedData>
  | StreamEvent<'JobCanceled', JobCanceledData>
  | StreamEvent<'JobExpired', JobExpiredData>;

export type JobEventType = JobEvent['type'];

/** A new job event, before it is stored. */
export type NewJobEvent = { [E in JobEvent as E['type']]: { type: E['type']; data: E['data'] } }[JobEventType];

export const JOB_EVENTS: readonly EventDefinition[] = [
  { type: 'JobSubmitted' },
  { type: 'JobAssigned' },
  { type: 'JobStarted' },
  { type: 'JobCompleted' },
  { type: 'JobFailed' },
  { type: 'JobRequeued' },
  { type: 'JobCanceled' },
  { type: 'JobExpired' },
];

export const jobStreamId = (jobId: string) => `job-${jobId}`;
