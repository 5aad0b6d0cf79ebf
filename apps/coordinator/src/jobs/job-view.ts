import type { JobStateName, JobViewDto } from '@aitbc/contracts';

/** A row of `job_views` as pg returns it. */
export interface JobViewRow {
  job_id: string;
  client_id: string;
  state: JobStateName;
  payload: Record<string, unknown>;
  constraints: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  assigned_miner_id: string | null;
  attempts: number;
  requested_at: Date;
  expires_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  receipt_id: string | null;
  payment_id: string | null;
  payment_status: string | null;
}

export const JOB_VIEW_COLUMNS = `job_id, client_id, state, payload, constraints, result, error, assigned_miner_id, attempts,
  requested_at, expires_at, started_at, completed_at, receipt_id, payment_id, payment_status`;

/** The wire JobView; `payload` and `result` only for the job's owner. */
export function toJobView(row: JobViewRow, owner: boolean): JobViewDto {
  const view: JobViewDto = {
    job_id: row.job_id,
    state: row.state,
    status: row.state.toLowerCase(),
    assigned_miner_id: row.assigned_miner_id,
    attempts: row.attempts,
    requested_at: row.requested_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
    error: row.error,
    receipt_id: row.receipt_id,
    payment_id: row.payment_id,
    payment_status: row.payment_status,
  };
  if (owner) {
    view.payload = row.payload;
    view.result = row.result;
  }
  return view;
}
