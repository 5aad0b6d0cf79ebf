import type { Queryable } from '@aitbc/event-store';

/** Postgres NOTIFY channel: a job became available for dispatch (payload: its requirements as JSON). */
export const JOB_AVAILABLE_CHANNEL = 'aitbc_job_available';

/**
 * Wakes long-polling miners on every coordinator. Sent on its own, after the job's transaction has
 * committed: a NOTIFY inside a writing transaction holds PostgreSQL's global notify lock until that
 * commit is flushed to disk, which would make every submit wait for the previous one.
 */
export async function announceJobAvailable(db: Queryable, requirements: unknown): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [JOB_AVAILABLE_CHANNEL, JSON.stringify(requirements)]);
}
