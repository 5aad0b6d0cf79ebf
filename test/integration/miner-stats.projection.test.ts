import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Pool } from 'pg';
import { EventRegistry, EventStore, ProjectionRunner, rebuildProjection } from '@aitbc/event-store';
import type { Clock } from '../../apps/coordinator/src/clock';
import { loadConfig } from '../../apps/coordinator/src/config';
import { EVENT_DEFINITIONS } from '../../apps/coordinator/src/events';
import type { NewJobEvent } from '../../apps/coordinator/src/jobs/job.events';
import { JobStore } from '../../apps/coordinator/src/jobs/job-store';
import { ListMinersHandler } from '../../apps/coordinator/src/miners/list-miners/list-miners.handler';
import { MinerStore } from '../../apps/coordinator/src/miners/miner-store';
import { minerStatsProjection } from '../../apps/coordinator/src/miners/projections/miner-stats.projection';
import { RegisterMinerCommand } from '../../apps/coordinator/src/miners/register-miner/register-miner.command';
import { RegisterMinerHandler } from '../../apps/coordinator/src/miners/register-miner/register-miner.handler';
import { createTestPool, testDatabaseUrl } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { NO_REQUIREMENTS, jobSubmittedData } from '../support/job-fixtures';

const store = new EventStore(new EventRegistry(EVENT_DEFINITIONS));
const T0 = Date.parse('2026-01-24T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const submitted = (jobId: string): NewJobEvent => ({
  type: 'JobSubmitted',
  data: jobSubmittedData({
    job_id: jobId,
    payload: { prompt: 'hi', model: 'llama3.2:latest' },
    requirements: { ...NO_REQUIREMENTS, models: ['llama3.2:latest'] },
    requested_at: at(0),
  }),
});
const assigned = (minerId: string, attempt: number, ms: number): NewJobEvent => ({
  type: 'JobAssigned',
  data: { miner_id: minerId, attempt, assigned_at: at(ms), lease_expires_at: at(ms + 60_000), timeout_at: null },
});
const completed = (minerId: string, attempt: number, ms: number): NewJobEvent => ({
  type: 'JobCompleted',
  data: { miner_id: minerId, attempt, result: { response: 'ok' }, metrics: {}, result_hash: 'h', completed_at: at(ms) },
});
const requeued = (minerId: string, attempt: number, ms: number): NewJobEvent => ({
  type: 'JobRequeued',
  data: {
    miner_id: minerId,
    attempt,
    error: { code: 'E_OOM', message: 'CUDA out of memory' },
    excluded_miner_id: null,
    requeued_at: at(ms),
    expires_at: at(ms + 900_000),
  },
});
const failed = (minerId: string | null, attempt: number, ms: number): NewJobEvent => ({
  type: 'JobFailed',
  data: { miner_id: minerId, attempt, error: { code: 'E_BAD_INPUT', message: 'bad input' }, failed_at: at(ms) },
});

describe('miner-stats projection (real PostgreSQL)', () => {
  let pool: Pool;
  let jobs: JobStore;
  let a: string;
  let b: string;

  beforeAll(async () => {
    pool = createTestPool(6);
    jobs = new JobStore(pool, store);
    const suffix = randomUUID().slice(0, 8);
    [a, b] = [`stats-a-${suffix}`, `stats-b-${suffix}`];
    // each job's history, one command (transaction) per event, as the coordinator appends them
    const histories: NewJobEvent[][] = [
      [assigned(a, 1, 0), completed(a, 1, 12_500)],
      [assigned(a, 1, 20_000), completed(a, 1, 27_500)],
      // A runs out of memory; B takes the second attempt: only B's attempt counts towards its duration
      [assigned(a, 1, 0), requeued(a, 1, 5_000), assigned(b, 2, 60_000), completed(b, 2, 63_000)],
      [assigned(b, 1, 0), failed(b, 1, 1_000)],
      // a failure no miner is behind changes nobody's record
      [failed(null, 0, 2_000)],
    ];
    for (const history of histories) {
      const jobId = randomBytes(16).toString('hex');
      for (const event of [submitted(jobId), ...history]) {
        await jobs.execute(jobId, () => ({ events: [event], result: null }));
      }
    }
  });
  afterAll(async () => {
    await pool.end();
  });

  const stats = async () =>
    (
      await pool.query(
        `SELECT miner_id, jobs_completed, jobs_failed, total_duration_ms::int AS total_duration_ms, updated_at
         FROM miner_stats WHERE miner_id = ANY($1) ORDER BY miner_id`,
        [[a, b]],
      )
    ).rows;
  const expected = () => [
    { miner_id: a, jobs_completed: 2, jobs_failed: 1, total_duration_ms: 20_000, updated_at: new Date(at(27_500)) },
    { miner_id: b, jobs_completed: 1, jobs_failed: 1, total_duration_ms: 3_000, updated_at: new Date(at(63_000)) },
  ];

  /** Runs the projection over the feed until it holds this suite's jobs. */
  async function projectAll() {
    const runner = new ProjectionRunner(pool, store, minerStatsProjection, { batchSize: 50 });
    try {
      return await waitFor(
        async () => {
          while ((await runner.runOnce()) > 0) {
            // catch up with the whole feed
          }
          const current = await stats();
          return isDeepStrictEqual(current, expected()) ? current : null;
        },
        { message: 'the miner-stats projection to reach the appended jobs' },
      );
    } finally {
      await runner.stop();
    }
  }

  it('counts completions and failed attempts per miner and sums durations from assignment', async () => {
    expect(await projectAll()).toEqual(expected());
    // caught up: another pass changes nothing
    const runner = new ProjectionRunner(pool, store, minerStatsProjection);
    try {
      expect(await runner.runOnce()).toBe(0);
    } finally {
      await runner.stop();
    }
    expect(await stats()).toEqual(expected());
  });

  it('rebuilds to the same numbers from the start of the feed', async () => {
    await pool.query('UPDATE miner_stats SET jobs_completed = 99 WHERE miner_id = $1', [a]);
    await rebuildProjection(pool, store, minerStatsProjection);
    expect(await stats()).toEqual(expected());
  });

  it('feeds the averages of GET /v1/admin/miners', async () => {
    await projectAll();
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl() });
    const clock: Clock = { now: () => new Date() };
    const register = new RegisterMinerHandler(new MinerStore(pool, store), config, clock);
    for (const minerId of [a, b]) {
      await register.execute(
        new RegisterMinerCommand('rig-1', minerId, {
          capabilities: { gpus: [], models: ['llama3.2:latest'], services: [] },
          concurrency: 1,
        }),
      );
    }
    const { items } = await new ListMinersHandler(pool, config, clock).execute();
    expect(
      items
        .filter((item) => item.miner_id === a || item.miner_id === b)
        .map(({ miner_id, jobs_completed, jobs_failed, average_job_duration_ms }) => ({
          miner_id,
          jobs_completed,
          jobs_failed,
          average_job_duration_ms,
        })),
    ).toEqual([
      { miner_id: a, jobs_completed: 2, jobs_failed: 1, average_job_duration_ms: 10_000 },
      { miner_id: b, jobs_completed: 1, jobs_failed: 1, average_job_duration_ms: 3_000 },
    ]);
  });
});
