/** Postgres NOTIFY channel: a job became available for dispatch (payload: its requirements as JSON). */
export const JOB_AVAILABLE_CHANNEL = 'aitbc_job_available';
