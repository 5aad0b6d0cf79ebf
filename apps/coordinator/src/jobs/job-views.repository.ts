import type { Queryable } from '@aitbc/event-store';
import { JobNotFoundError } from './job.errors';
import { JOB_VIEW_COLUMNS, JobViewRow } from './job-view';

/**
 * Reads a client's own job. Another client's job is reported exactly like an unknown one (404), so
 * job ids cannot be probed.
 */
export async function readOwnJob(db: Queryable, jobId: string, clientId: string): Promise<JobViewRow> {
  if (!/^[0-9a-f]{32}$/.test(jobId)) {
    throw new JobNotFoundError();
  }
  const { rows } = await db.query<JobViewRow>(
    `SELECT ${JOB_VIEW_COLUMNS} FROM job_views WHERE job_id = $1 AND client_id = $2`,
    [jobId, clientId],
  );
  if (rows.length === 0) {
    throw new JobNotFoundError();
  }
  return rows[0];
}
