import type { Queryable } from '@aitbc/event-store';
import type { JobSubmittedData, NewJobEvent } from '../job.events';

/**
 * Inline projection of a job's events, run in the command's transaction: the job view, the dispatch
 * queue (QUEUED jobs), the leases (RUNNING jobs) and pending cancellations for miners.
 */
export async function projectJobEvents(tx: Queryable, jobId: string, events: readonly NewJobEvent[]): Promise<void> {
  for (const event of events) {
    await projectOne(tx, jobId, event);
  }
}

async function projectOne(tx: Queryable, jobId: string, event: NewJobEvent): Promise<void> {
  switch (event.type) {
    case 'JobSubmitted':
      return insertJob(tx, event.data);
    case 'JobAssigned': {
      const { miner_id, attempt, assigned_at, lease_expires_at, timeout_at } = event.data;
      await tx.query('DELETE FROM job_queue WHERE job_id = $1', [jobId]);
      await tx.query(
        `INSERT INTO job_leases (job_id, miner_id, attempt, assigned_at, lease_expires_at, timeout_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [jobId, miner_id, attempt, assigned_at, lease_expires_at, timeout_at],
      );
      await tx.query(
        `UPDATE job_views SET state = 'RUNNING', assigned_miner_id = $2, attempts = $3, started_at = $4, updated_at = $4
         WHERE job_id = $1`,
        [jobId, miner_id, attempt, assigned_at],
      );
      return;
    }
    case 'JobStarted':
      await tx.query('UPDATE job_views SET updated_at = $2 WHERE job_id = $1', [jobId, event.data.started_at]);
      return;
    case 'JobCompleted': {
      const { result, metrics, completed_at } = event.data;
      await tx.query('DELETE FROM job_leases WHERE job_id = $1', [jobId]);
      await tx.query(
        `UPDATE job_views SET state = 'COMPLETED', result = $2, metrics = $3, completed_at = $4, updated_at = $4
         WHERE job_id = $1`,
        [jobId, JSON.stringify(result), JSON.stringify(metrics), completed_at],
      );
      return;
    }
    case 'JobFailed':
      await endJob(tx, jobId, 'FAILED', event.data.failed_at, event.data.error);
      return;
    case 'JobCanceled':
      if (event.data.miner_id) {
        await tx.query('INSERT INTO miner_cancellations (miner_id, job_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          event.data.miner_id,
          jobId,
        ]);
      }
      await endJob(tx, jobId, 'CANCELED', event.data.canceled_at, null);
      return;
    case 'JobExpired':
      await endJob(tx, jobId, 'EXPIRED', event.data.expired_at, {
        code: 'E_EXPIRED',
        message: 'no miner took the job in time',
      });
      return;
    case 'JobRequeued': {
      const { requeued_at, error, excluded_miner_id, expires_at } = event.data;
      await tx.query('DELETE FROM job_leases WHERE job_id = $1', [jobId]);
      await tx.query(
        `UPDATE job_views SET state = 'QUEUED', assigned_miner_id = NULL, error = $2, updated_at = $3, expires_at = $4
         WHERE job_id = $1`,
        [jobId, JSON.stringify(error), requeued_at, expires_at],
      );
      await tx.query(
        `INSERT INTO job_queue (job_id, priority, requested_at, expires_at, models, services, gpu, min_vram_mb, min_cuda,
                                region, max_price_micro, excluded_miners)
         SELECT v.job_id, v.priority, v.requested_at, v.expires_at,
                ARRAY(SELECT jsonb_array_elements_text(v.requirements->'models')),
                ARRAY(SELECT jsonb_array_elements_text(v.requirements->'services')),
                v.requirements->>'gpu', (v.requirements->>'min_vram_mb')::int, (v.requirements->>'min_cuda')::int,
                v.requirements->>'region', (v.requirements->>'max_price_micro')::bigint,
                coalesce((SELECT q.excluded_miners FROM job_queue q WHERE q.job_id = v.job_id), '{}') ||
                  CASE WHEN $2::text IS NULL THEN '{}'::text[] ELSE ARRAY[$2::text] END
         FROM job_views v WHERE v.job_id = $1
         ON CONFLICT (job_id) DO NOTHING`,
        [jobId, excluded_miner_id],
      );
      return;
    }
  }
}

async function insertJob(tx: Queryable, data: JobSubmittedData): Promise<void> {
  const r = data.requirements;
  await tx.query(
    `INSERT INTO job_views (job_id, client_id, state, payload, constraints, requirements, max_attempts, priority,
                            ttl_seconds, timeout_seconds, payment_amount_micro, payment_currency, webhook_url,
                            requested_at, expires_at, updated_at)
     VALUES ($1, $2, 'QUEUED', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13)`,
    [
      data.job_id,
      data.client_id,
      JSON.stringify(data.payload),
      JSON.stringify(data.constraints),
      JSON.stringify(r),
      data.max_attempts,
      data.priority,
      data.ttl_seconds,
      data.timeout_seconds,
      data.payment_amount_micro,
      data.payment_currency,
      data.webhook_url,
      data.requested_at,
      data.expires_at,
    ],
  );
  await tx.query(
    `INSERT INTO job_queue (job_id, priority, requested_at, expires_at, models, services, gpu, min_vram_mb, min_cuda,
                            region, max_price_micro)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      data.job_id,
      data.priority,
      data.requested_at,
      data.expires_at,
      r.models,
      r.services,
      r.gpu,
      r.min_vram_mb,
      r.min_cuda,
      r.region,
      r.max_price_micro,
    ],
  );
}

async function endJob(
  tx: Queryable,
  jobId: string,
  state: 'FAILED' | 'CANCELED' | 'EXPIRED',
  at: string,
  error: { code: string; message: string } | null,
): Promise<void> {
  await tx.query('DELETE FROM job_queue WHERE job_id = $1', [jobId]);
  await tx.query('DELETE FROM job_leases WHERE job_id = $1', [jobId]);
  await tx.query(
    `UPDATE job_views SET state = $2, error = coalesce($3::jsonb, error), completed_at = $4, updated_at = $4
     WHERE job_id = $1`,
    [jobId, state, error === null ? null : JSON.stringify(error), at],
  );
}
