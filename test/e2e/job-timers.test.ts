import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { decideAssign } from '../../apps/coordinator/src/jobs/job';
import { JobStore } from '../../apps/coordinator/src/jobs/job-store';
import { SweepJobTimersProcessor } from '../../apps/coordinator/src/jobs/sweep-timers/sweep-job-timers.processor';
import { SweepJobTimersScheduler } from '../../apps/coordinator/src/jobs/sweep-timers/sweep-job-timers.scheduler';
import { TIMERS_QUEUE } from '../../apps/coordinator/src/queue/queue.names';
import { Api } from '../support/api';
import { CoordinatorUnderTest, bootCoordinator, testEnv } from '../support/coordinator';
import { createTestPool, testDatabaseUrl } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const SWEEP_EVERY_100_MS = { JOB_SWEEP_INTERVAL_MS: '100' };
const BACKENDS = [
  { backend: 'Redis', env: {} },
  { backend: 'PostgreSQL', env: { REDIS_URL: undefined } },
];
const LEASE_LOST = { code: 'E_LEASE_LOST', message: 'the miner stopped heartbeating' };

interface ViewRow {
  state: string;
  attempts: number;
  error: { code: string; message: string } | null;
  assigned_miner_id: string | null;
  queued: boolean;
  leased: boolean;
}

/** The job's view, and whether it sits in the dispatch queue or holds a lease. */
async function view(db: pg.Pool | pg.Client, jobId: string): Promise<ViewRow> {
  const { rows } = await db.query<ViewRow>(
    `SELECT state, attempts, error, assigned_miner_id,
            EXISTS (SELECT 1 FROM job_queue q WHERE q.job_id = v.job_id) AS queued,
            EXISTS (SELECT 1 FROM job_leases l WHERE l.job_id = v.job_id) AS leased
     FROM job_views v WHERE job_id = $1`,
    [jobId],
  );
  return rows[0];
}

async function eventTypes(db: pg.Pool, jobId: string): Promise<string[]> {
  const { rows } = await db.query<{ event_type: string }>(
    'SELECT event_type FROM es_events WHERE stream_id = $1 ORDER BY stream_position',
    [`job-${jobId}`],
  );
  return rows.map((row) => row.event_type);
}

/** What a miner's poll would do, without a miner: assign the job through the job store. */
async function assign(coordinator: CoordinatorUnderTest, jobId: string, minerId: string): Promise<void> {
  const assigned = await coordinator.app.get(JobStore).execute(jobId, (state) => {
    const events = decideAssign(state, minerId, new Date(), coordinator.config.miners.leaseTtlSeconds);
    return { events, result: events.length };
  });
  expect(assigned).toBe(1);
}

const sweepErrors = (coordinator: CoordinatorUnderTest) =>
  coordinator.logs().filter((line) => line.context === 'job-timers' && Number(line.level) >= 40);

describe.each(BACKENDS)('job timers with BullMQ on $backend', ({ env }) => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let db: pg.Pool;

  beforeAll(async () => {
    db = createTestPool(4);
    coordinator = await bootCoordinator(testEnv({ ...SWEEP_EVERY_100_MS, ...env }));
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await db?.end();
  });

  it('expires a job nobody took within its TTL; a job with a long TTL stays queued', async () => {
    const patient = await api.submitOk({ payload: { prompt: 'patient' }, ttl_seconds: 3600 });
    const hasty = await api.submitOk({ payload: { prompt: 'hasty' }, ttl_seconds: 1 });

    await waitFor(async () => (await view(db, hasty)).state === 'EXPIRED', { message: 'the job to expire' });
    expect(await view(db, hasty)).toEqual({
      state: 'EXPIRED',
      attempts: 0,
      error: { code: 'E_EXPIRED', message: 'no miner took the job in time' },
      assigned_miner_id: null,
      queued: false,
      leased: false,
    });
    expect(await eventTypes(db, hasty)).toEqual(['JobSubmitted', 'JobExpired']);
    expect((await api.job(hasty).expect(200)).body).toMatchObject({ state: 'EXPIRED', status: 'expired' });

    expect(await view(db, patient)).toEqual({
      state: 'QUEUED',
      attempts: 0,
      error: null,
      assigned_miner_id: null,
      queued: true,
      leased: false,
    });
  }, 30_000);

  it('requeues a job whose lease expired, and fails it with E_LEASE_LOST after max_attempts', async () => {
    const jobId = await api.submitOk({ payload: { prompt: 'abandoned' } });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await assign(coordinator, jobId, 'rig-1/silent');
      // the miner stops heartbeating: its lease runs out
      await db.query(`UPDATE job_leases SET lease_expires_at = now() - interval '1 second' WHERE job_id = $1`, [jobId]);
      await waitFor(async () => (await view(db, jobId)).state !== 'RUNNING', { message: `lease ${attempt} to expire` });
      if (attempt < 3) {
        expect(await view(db, jobId)).toEqual({
          state: 'QUEUED',
          attempts: attempt,
          error: LEASE_LOST,
          assigned_miner_id: null,
          queued: true,
          leased: false,
        });
      }
    }
    expect(await view(db, jobId)).toEqual({
      state: 'FAILED',
      attempts: 3,
      error: LEASE_LOST,
      // a failed job's view keeps the miner that held it last
      assigned_miner_id: 'rig-1/silent',
      queued: false,
      leased: false,
    });
    expect(await eventTypes(db, jobId)).toEqual([
      'JobSubmitted',
      'JobAssigned',
      'JobRequeued',
      'JobAssigned',
      'JobRequeued',
      'JobAssigned',
      'JobFailed',
    ]);
  }, 30_000);

  it('requeues a job that ran past timeout_seconds with E_TIMEOUT', async () => {
    const jobId = await api.submitOk({ payload: { prompt: 'slow' }, timeout_seconds: 1 });
    await assign(coordinator, jobId, 'rig-1/slow');

    await waitFor(async () => (await view(db, jobId)).state !== 'RUNNING', { message: 'the run to time out' });
    expect(await view(db, jobId)).toEqual({
      state: 'QUEUED',
      attempts: 1,
      error: { code: 'E_TIMEOUT', message: 'the job ran longer than its 1 s timeout' },
      assigned_miner_id: null,
      queued: true,
      leased: false,
    });
    expect(await eventTypes(db, jobId)).toEqual(['JobSubmitted', 'JobAssigned', 'JobRequeued']);
  }, 30_000);

  it('expires each of 50 jobs exactly once while two coordinators run the timers', async () => {
    const second = await bootCoordinator(testEnv({ ...SWEEP_EVERY_100_MS, ...env }));
    try {
      expect(second.app.get(SweepJobTimersProcessor)).toBeInstanceOf(SweepJobTimersProcessor);
      const apis = [api, new Api(second.url)];
      const ids = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          apis[i % 2].submitOk({ payload: { prompt: `batch ${i}` }, ttl_seconds: 1 }),
        ),
      );
      const streams = ids.map((id) => `job-${id}`);

      await waitFor(
        async () => {
          const { rows } = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM job_views WHERE job_id = ANY($1) AND state = 'EXPIRED'`,
            [ids],
          );
          return rows[0].n === ids.length;
        },
        { timeoutMs: 20_000, message: 'all 50 jobs to expire' },
      );
      const { rows } = await db.query<{ stream_id: string; n: number }>(
        `SELECT stream_id, count(*)::int AS n FROM es_events
         WHERE event_type = 'JobExpired' AND stream_id = ANY($1) GROUP BY 1`,
        [streams],
      );
      expect(rows.map((row) => row.stream_id).sort()).toEqual([...streams].sort());
      expect(rows.filter((row) => row.n !== 1)).toEqual([]);

      // both coordinators upserted the same scheduler: still one
      const schedulers = await coordinator.app.get<Queue>(getQueueToken(TIMERS_QUEUE)).getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: 'sweep-job-timers', every: 100 })]);
      expect([...sweepErrors(coordinator), ...sweepErrors(second)]).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe.each(BACKENDS)('an api-only coordinator with BullMQ on $backend', ({ backend, env }) => {
  // a database of its own (per process: another run may be at the same test), which no worker-role
  // coordinator of the other tests can sweep
  const name = `aitbc_test_timers_api_${backend.toLowerCase()}_${process.pid}`;
  const adminUrl = new URL(testDatabaseUrl());
  adminUrl.pathname = '/postgres';
  const dbUrl = new URL(testDatabaseUrl());
  dbUrl.pathname = `/${name}`;
  let admin: pg.Client;
  // one client, not a pool: a pool's end() resolves before its sockets close, and a connection the
  // DROP DATABASE below terminates would then raise an error nobody listens for
  let db: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it('runs no sweep: an expired job stays queued until a worker-role coordinator starts', async () => {
    const envFor = (role: string) =>
      testEnv({ ...SWEEP_EVERY_100_MS, ...env, DATABASE_URL: dbUrl.toString(), COORDINATOR_ROLE: role });
    const apiOnly = await bootCoordinator(envFor('api'));
    let worker: CoordinatorUnderTest | undefined;
    try {
      expect(apiOnly.app.get(SweepJobTimersProcessor)).toBeNull();
      expect(apiOnly.app.get(SweepJobTimersScheduler)).toBeNull();
      const jobId = await new Api(apiOnly.url).submitOk({ payload: { prompt: 'unswept' }, ttl_seconds: 1 });

      // ten sweep intervals past its expiry, by the database's clock
      await waitFor(
        async () => {
          const { rows } = await db.query<{ due: boolean }>(
            `SELECT now() > expires_at + interval '1 second' AS due FROM job_views WHERE job_id = $1`,
            [jobId],
          );
          return rows[0].due;
        },
        { intervalMs: 100, message: 'the TTL and ten sweep intervals to pass' },
      );
      expect(await view(db, jobId)).toMatchObject({ state: 'QUEUED', queued: true });

      const workerStartedAt = Date.now();
      worker = await bootCoordinator(envFor('worker'));
      expect(worker.app.get(SweepJobTimersProcessor)).toBeInstanceOf(SweepJobTimersProcessor);
      await waitFor(async () => (await view(db, jobId)).state === 'EXPIRED', {
        message: 'the worker-role coordinator to expire the job',
      });
      const { rows } = await db.query<{ expired_at: string }>(
        `SELECT data->>'expired_at' AS expired_at FROM es_events WHERE stream_id = $1 AND event_type = 'JobExpired'`,
        [`job-${jobId}`],
      );
      expect(rows).toHaveLength(1);
      expect(Date.parse(rows[0].expired_at)).toBeGreaterThanOrEqual(workerStartedAt);
    } finally {
      await worker?.stop();
      await apiOnly.stop();
    }
  }, 60_000);
});
