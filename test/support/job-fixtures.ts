import type { JobRequirements, JobSubmittedData } from '../../apps/coordinator/src/jobs/job.events';

export const NO_REQUIREMENTS: JobRequirements = {
  models: [],
  services: [],
  gpu: null,
  min_vram_mb: null,
  min_cuda: null,
  region: null,
  max_price_micro: null,
};

/** A JobSubmitted event's data with the API's defaults (900 s TTL, 3 attempts); override what a test is about. */
export function jobSubmittedData(
  overrides: Partial<JobSubmittedData> & Pick<JobSubmittedData, 'job_id' | 'requested_at'>,
): JobSubmittedData {
  const ttl = overrides.ttl_seconds ?? 900;
  return {
    client_id: 'alice',
    payload: {},
    constraints: {},
    requirements: NO_REQUIREMENTS,
    ttl_seconds: ttl,
    timeout_seconds: null,
    max_attempts: 3,
    priority: 0,
    payment_amount_micro: null,
    payment_currency: 'AITBC',
    webhook_url: null,
    expires_at: new Date(Date.parse(overrides.requested_at) + ttl * 1000).toISOString(),
    ...overrides,
  };
}
