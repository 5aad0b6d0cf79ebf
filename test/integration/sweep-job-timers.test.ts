import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventRegistry, EventStore } from '@aitbc/event-store';
import { EVENT_DEFINITIONS } from '../../apps/coordinator/src/events';
import { decideAssign } from '../../apps/coordinator/src/jobs/job';
import { JobStore } from '../../apps/coordinator/src/jobs/job-store';
import { SWEEP_LOCK, SweepJobTimers } from '../../apps/coordinator/src/jobs/sweep-timers/sweep-job-timers.service';
import { createTestPool } from '../support/test-database';
import { jobSubmittedData } from '../support/job-fixtures';

const store = new EventStore(new EventRegistry(EVENT_DEFINITIONS));

describe('SweepJobTimers (real Postgres)', () => {
  let pool: Pool;
  let jobs: JobStore;
  let now: Date;
  let sweeper: SweepJobTimers;

  beforeAll(() => {
    pool = createTestPool(6);
    jobs = new JobStore(pool, store);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    now = new Date();
    sweeper = new SweepJobTimers(pool, jobs, { now: () => now });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  async function submit(expiresInSeconds: number): Promise<string> {
    const jobId = randomBytes(16).toString('hex');
    const data = jobSubmittedData({
      job_id: jobId,
      client_id: 'sweep-test',
      payload: { prompt: 'x' },
      ttl_seconds: 60,
      requested_at: secondsAgo(60),
      expires_at: secondsAgo(-expiresInSeconds),
    });
    await jobs.execute(jobId, () => ({ events: [{ type: 'JobSubmitted', data }], result: null }));
    return jobId;
  }

  async function states(ids: string[]): Promise<string[]> {
    const { rows } = await pool.query<{ job_id: string; state: string }>(
      'SELECT job_id, state FROM job_views WHERE job_id = ANY($1)',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.job_id, row.state]));
    return ids.map((id) => byId.get(id) ?? 'MISSING');
  }

  it('sweeps every due job batch after batch, and leaves the others', async () => {
    const due = [await submit(-5), await submit(-4), await submit(-3), await submit(-2), await submit(0)];
    const later = await submit(30);

    const result = await sweeper.run(2);

    expect(result).toMatchObject({ errors: 0 });
    expect(result!.expired).toBeGreaterThanOrEqual(due.length);
    expect(await states(due)).toEqual(due.map(() => 'EXPIRED'));
    expect(await states([later])).toEqual(['QUEUED']);
  });

  it('logs a job it cannot sweep, sweeps the others, and tries it again next run', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const [first, broken, last] = [await submit(-3), await submit(-2), await submit(-1)];
    // a build older than the one that wrote the job cannot read its events
    await pool.query('UPDATE es_events SET schema_version = 99 WHERE stream_id = $1', [`job-${broken}`]);
    try {
      const result = await sweeper.run(1);

      expect(result!.errors).toBe(1);
      expect(await states([first, broken, last])).toEqual(['EXPIRED', 'QUEUED', 'EXPIRED']);
      expect(errors).toHaveBeenCalledWith(
        expect.stringMatching(new RegExp(`^queue TTL of job ${broken} failed: .*newer than this build`)),
        expect.any(String),
      );
      expect((await sweeper.run(1))!.errors).toBe(1);
    } finally {
      await pool.query('UPDATE es_events SET schema_version = 1 WHERE stream_id = $1', [`job-${broken}`]);
    }
    expect((await sweeper.run(1))!.errors).toBe(0);
    expect(await states([broken])).toEqual(['EXPIRED']);
  });

  it('appends nothing for a lease that no longer applies, and does not loop on it', async () => {
    const jobId = await submit(600);
    await jobs.execute(jobId, (state) => ({ events: decideAssign(state, 'rig-7', now, 60), result: null }));
    // a lease row of an earlier attempt: the decision re-checks the job and finds it moved on
    await pool.query(`UPDATE job_leases SET attempt = 7, lease_expires_at = $2 WHERE job_id = $1`, [
      jobId,
      secondsAgo(1),
    ]);

    expect(await sweeper.run(1)).toMatchObject({ errors: 0 });
    expect(await states([jobId])).toEqual(['RUNNING']);

    await pool.query('UPDATE job_leases SET attempt = 1 WHERE job_id = $1', [jobId]);
    expect((await sweeper.run(1))!.requeued).toBeGreaterThanOrEqual(1);
    expect(await states([jobId])).toEqual(['QUEUED']);
  });

  it('stands aside while another coordinator holds the sweep lock', async () => {
    const jobId = await submit(-1);
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::int, $2::int)', [SWEEP_LOCK.classId, SWEEP_LOCK.key]);
      expect(await sweeper.run()).toBeNull();
      expect(await states([jobId])).toEqual(['QUEUED']);
      await other.query('SELECT pg_advisory_unlock($1::int, $2::int)', [SWEEP_LOCK.classId, SWEEP_LOCK.key]);
    } finally {
      other.release();
    }
    expect(await sweeper.run()).not.toBeNull();
    expect(await states([jobId])).toEqual(['EXPIRED']);
  });

  it('does nothing once stopped', async () => {
    const jobId = await submit(-1);
    sweeper.stop();
    expect(await sweeper.run()).toBeNull();
    expect(await states([jobId])).toEqual(['QUEUED']);
    await new SweepJobTimers(pool, jobs, { now: () => now }).run();
  });
});
