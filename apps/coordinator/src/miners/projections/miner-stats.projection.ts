import type { Projection, Queryable, RecordedEvent } from '@aitbc/event-store';
import type { JobCompletedData, JobFailedData, JobRequeuedData } from '../../jobs/job.events';

/**
 * Folds a whole batch into one upsert: per event a row of (miner, job, completed?, failed?, time);
 * a completion's duration runs from the job's assignment (`job_views.started_at`), which a
 * completed job keeps for good, and its receipt (written in the completion's own transaction) is
 * the miner's latest when it is the batch's last completion.
 */
const UPSERT_STATS_SQL = `
INSERT INTO miner_stats AS s (miner_id, jobs_completed, jobs_failed, total_duration_ms, last_receipt_id, updated_at)
SELECT e.miner_id,
       count(*) FILTER (WHERE e.completed),
       count(*) FILTER (WHERE NOT e.completed),
       coalesce(sum(greatest(0, round(extract(epoch FROM e.at - v.started_at) * 1000))) FILTER (WHERE e.completed), 0),
       (array_agg(r.receipt_id ORDER BY e.at DESC) FILTER (WHERE r.receipt_id IS NOT NULL))[1],
       max(e.at)
FROM unnest($1::text[], $2::text[], $3::boolean[], $4::timestamptz[]) AS e(miner_id, job_id, completed, at)
LEFT JOIN job_views v ON v.job_id = e.job_id
LEFT JOIN receipts r ON e.completed AND r.job_id = e.job_id AND r.provider = e.miner_id
GROUP BY e.miner_id
ON CONFLICT (miner_id) DO UPDATE SET
  jobs_completed = s.jobs_completed + EXCLUDED.jobs_completed,
  jobs_failed = s.jobs_failed + EXCLUDED.jobs_failed,
  total_duration_ms = s.total_duration_ms + EXCLUDED.total_duration_ms,
  last_receipt_id = coalesce(EXCLUDED.last_receipt_id, s.last_receipt_id),
  updated_at = greatest(s.updated_at, EXCLUDED.updated_at)`;

interface Outcome {
  minerId: string;
  jobId: string;
  completed: boolean;
  at: string;
}

function outcomeOf(event: RecordedEvent): Outcome | null {
  const jobId = event.streamId.slice('job-'.length);
  switch (event.type) {
    case 'JobCompleted': {
      const data = event.data as JobCompletedData;
      return { minerId: data.miner_id, jobId, completed: true, at: data.completed_at };
    }
    case 'JobFailed': {
      // a failure with no miner behind it is nobody's record
      const data = event.data as JobFailedData;
      return data.miner_id === null ? null : { minerId: data.miner_id, jobId, completed: false, at: data.failed_at };
    }
    case 'JobRequeued': {
      const data = event.data as JobRequeuedData;
      return { minerId: data.miner_id, jobId, completed: false, at: data.requeued_at };
    }
    default:
      return null;
  }
}

/** Per-miner job counts and durations for operators (`GET /v1/admin/miners`): an async projection. */
export const minerStatsProjection: Projection = {
  name: 'miner-stats',
  handles: ['JobCompleted', 'JobFailed', 'JobRequeued'],

  async handle(tx: Queryable, events: readonly RecordedEvent[]): Promise<void> {
    const outcomes = events.map(outcomeOf).filter((outcome): outcome is Outcome => outcome !== null);
    if (outcomes.length === 0) {
      return;
    }
    await tx.query(UPSERT_STATS_SQL, [
      outcomes.map((o) => o.minerId),
      outcomes.map((o) => o.jobId),
      outcomes.map((o) => o.completed),
      outcomes.map((o) => o.at),
    ]);
  },

  async reset(tx: Queryable): Promise<void> {
    await tx.query('DELETE FROM miner_stats');
  },
};
