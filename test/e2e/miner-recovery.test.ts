import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorClient } from '../../apps/miner/src/coordinator/coordinator-client';
import { MinerKey } from '../../apps/miner/src/identity/miner-key';
import { JobExecutor } from '../../apps/miner/src/jobs/job-executor';
import { JobJournal } from '../../apps/miner/src/jobs/job-journal';
import { MinerStats } from '../../apps/miner/src/jobs/miner-stats';
import { Api } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { clearDispatch, createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/**
 * The job journal across a restart, against a real coordinator: what a previous run of the daemon
 * left is reported by the next — its result when the run had finished, a retryable failure when not.
 */
describe('miner job journal: recovery after a restart', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  const pool = createTestPool(2);

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv({ LOG_LEVEL: 'warn' }));
    api = new Api(coordinator.url);
  });
  afterAll(async () => {
    await coordinator.stop();
    await pool.end();
  });

  const leasedJob = async (miner: string) => {
    await clearDispatch(pool);
    await api.register(miner);
    const jobId = await api.submitOk({ payload: { task: 'recover-me' } });
    const polled = await api.poll(miner).expect(200);
    expect(polled.body.job_id).toBe(jobId);
    return polled.body as { job_id: string; attempt: number; lease_expires_at: string };
  };

  const executorFor = async (miner: string, workspace: string) => {
    const client = new CoordinatorClient({ baseUrl: coordinator.url, apiKey: TEST_KEYS.miner, minerId: miner });
    const { key } = await MinerKey.loadOrCreate(join(workspace, 'state'));
    const journal = new JobJournal(join(workspace, 'jobs'));
    const stats = new MinerStats();
    const executor = new JobExecutor(client, journal, [], key, stats, {
      maxJobSeconds: 60,
      onStaleCapabilities: () => undefined,
    });
    return { executor, journal, stats, key };
  };

  it('sends the result a finished run could not deliver, with a proof that verifies', async () => {
    const job = await leasedJob('recover-a');
    const workspace = mkdtempSync(join(tmpdir(), 'aitbc-recover-'));
    const before = await executorFor('recover-a', workspace);
    const entry = {
      job_id: job.job_id,
      attempt: job.attempt,
      accepted_at: new Date().toISOString(),
      lease_expires_at: job.lease_expires_at,
      summary: 'cli',
    };
    await before.journal.begin(entry);
    const result = { output: 'finished before the crash' };
    await before.journal.finish(
      { ...entry, phase: 'running' },
      { kind: 'result', body: { result, metrics: { duration_ms: 1500 }, proof: before.key.proof(result) } },
    );

    const after = await executorFor('recover-a', workspace);
    expect(await after.executor.recover()).toBe(1);
    const view = await waitFor(async () => {
      const body = (await api.job(job.job_id).expect(200)).body;
      return body.state === 'COMPLETED' ? body : null;
    });
    expect(view.result).toEqual(result);
    await after.executor.flush(Date.now() + 5000);
    expect(await after.journal.leftovers()).toEqual([]);
    expect(after.stats.history[0]).toMatchObject({ job_id: job.job_id, outcome: 'completed' });
    expect(after.stats.completed).toBe(1);
  });

  it('reports a run that never finished as a retryable E_RUNTIME, so the job is requeued', async () => {
    const job = await leasedJob('recover-b');
    const workspace = mkdtempSync(join(tmpdir(), 'aitbc-recover-'));
    const before = await executorFor('recover-b', workspace);
    await before.journal.begin({
      job_id: job.job_id,
      attempt: job.attempt,
      accepted_at: new Date().toISOString(),
      lease_expires_at: job.lease_expires_at,
      summary: 'ollama inference',
    });

    const after = await executorFor('recover-b', workspace);
    expect(await after.executor.recover()).toBe(1);
    const view = await waitFor(async () => {
      const body = (await api.job(job.job_id).expect(200)).body;
      return body.state === 'QUEUED' ? body : null;
    });
    expect(view).toMatchObject({
      attempts: 1,
      error: { code: 'E_RUNTIME', message: 'the miner restarted while the job was running' },
    });
    await after.executor.flush(Date.now() + 5000);
    expect(await after.journal.leftovers()).toEqual([]);
    expect(after.stats.history[0]).toMatchObject({ job_id: job.job_id, outcome: 'interrupted' });
  });

  it('drops a report on an earlier attempt when the job came back to this miner: the running attempt is untouched', async () => {
    const job = await leasedJob('recover-d');
    const workspace = mkdtempSync(join(tmpdir(), 'aitbc-recover-'));
    const before = await executorFor('recover-d', workspace);
    const entry = {
      job_id: job.job_id,
      attempt: job.attempt,
      accepted_at: new Date().toISOString(),
      lease_expires_at: job.lease_expires_at,
      summary: 'cli',
    };
    await before.journal.begin(entry);
    const stale = { output: 'attempt 1, finished during an outage longer than the lease' };
    await before.journal.finish(
      { ...entry, phase: 'running' },
      { kind: 'result', body: { result: stale, proof: before.key.proof(stale) } },
    );
    // meanwhile the coordinator requeued attempt 1 (here: a retryable failure) and gave it back to this miner
    await api.fail('recover-d', job.job_id, 'E_RUNTIME').expect(200);
    const second = (await api.poll('recover-d').expect(200)).body as { job_id: string; attempt: number };
    expect(second).toMatchObject({ job_id: job.job_id, attempt: 2 });

    const after = await executorFor('recover-d', workspace);
    expect(await after.executor.recover()).toBe(1);
    expect(await after.executor.flush(Date.now() + 5000)).toBe(true);
    expect(await after.journal.leftovers()).toEqual([]);
    // attempt 1's result did not complete attempt 2
    expect((await api.job(job.job_id).expect(200)).body).toMatchObject({ state: 'RUNNING', attempts: 2 });
    await api.result('recover-d', job.job_id, { output: 'attempt 2' }).expect(200);
    expect((await api.job(job.job_id).expect(200)).body).toMatchObject({
      state: 'COMPLETED',
      attempts: 2,
      result: { output: 'attempt 2' },
    });
  });

  it('drops a report the coordinator can no longer take (the job moved on) and forgets it', async () => {
    const job = await leasedJob('recover-c');
    await api.http.post(`/v1/jobs/${job.job_id}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    const workspace = mkdtempSync(join(tmpdir(), 'aitbc-recover-'));
    const before = await executorFor('recover-c', workspace);
    const entry = {
      job_id: job.job_id,
      attempt: job.attempt,
      accepted_at: new Date().toISOString(),
      lease_expires_at: job.lease_expires_at,
      summary: 'cli',
    };
    await before.journal.begin(entry);
    await before.journal.finish({ ...entry, phase: 'running' }, { kind: 'result', body: { result: { late: true } } });

    const after = await executorFor('recover-c', workspace);
    await after.executor.recover();
    expect(await after.executor.flush(Date.now() + 5000)).toBe(true);
    expect(await after.journal.leftovers()).toEqual([]);
    expect((await api.job(job.job_id).expect(200)).body.state).toBe('CANCELED');
  });
});
