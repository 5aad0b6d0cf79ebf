import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { encodeBase64Url, keyPairFromSeed, ready, sign } from '@aitbc/crypto';
import { JobAvailableListener } from '../../apps/coordinator/src/jobs/dispatch/job-available.listener';
import { contentHash } from '../../apps/coordinator/src/receipts/receipt';
import { Api, capabilities } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { CoordinatorProcess, startCoordinatorProcess } from '../support/coordinator-process';
import { createTestPool, clearDispatch } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/**
 * Dispatch over HTTP against real Postgres and Redis. Each test starts from an empty dispatch queue
 * (suites run one at a time) and names its miners uniquely.
 */
describe('dispatch: matching, limits, races and long-poll', () => {
  let a: CoordinatorUnderTest;
  /** a second coordinator in its own OS process, on the same database and Redis */
  let b: CoordinatorProcess;
  let api: Api;
  let apiB: Api;
  let pool: pg.Pool;
  const name = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    a = await bootCoordinator(testEnv());
    b = await startCoordinatorProcess();
    api = new Api(a.url);
    apiB = new Api(b.url);
    pool = createTestPool(4);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    expect(await b?.stop()).toBe(0);
    await pool?.end();
  });
  beforeEach(async () => {
    // jobs other suites left queued must not be handed to this suite's miners
    await clearDispatch(pool);
  });

  const polledId = async (miner: string, target = api) => {
    const res = await target.poll(miner);
    expect([200, 204]).toContain(res.status);
    return res.status === 200 ? (res.body.job_id as string) : null;
  };

  it.each([
    ['region', { region: 'eu-west' }, { region: 'EU-West' }, { region: 'us-east' }],
    [
      'GPU vendor',
      { gpu: 'nvidia' },
      {},
      { capabilities: capabilities({ gpus: [{ name: 'Radeon RX 7900', vendor: 'AMD', memory_mb: 24000 }] }) },
    ],
    [
      'GPU name, case-insensitive',
      { gpu: 'rtx 4090' },
      {},
      { capabilities: capabilities({ gpus: [{ name: 'RTX 3060', vendor: 'NVIDIA', memory_mb: 12288 }] }) },
    ],
    [
      'VRAM',
      { min_vram_gb: 20 },
      {},
      { capabilities: capabilities({ gpus: [{ name: 'RTX 3060', vendor: 'NVIDIA', memory_mb: 12288 }] }) },
    ],
    ['minimum CUDA (12.4 satisfies 11.8)', { cuda: '11.8' }, {}, { capabilities: capabilities({ cuda: '11.2' }) }],
    [
      'model subset',
      { models: ['llama3.2:latest', 'mistral:7b'] },
      { capabilities: capabilities({ models: ['llama3.2:latest', 'mistral:7b', 'phi3'] }) },
      {},
    ],
    [
      'service',
      { services: ['ffmpeg'] },
      { capabilities: capabilities({ services: ['llm_inference', 'ffmpeg'] }) },
      {},
    ],
    [
      'price ceiling',
      { max_price: '0.02' },
      { capabilities: capabilities({ price: '0.015' }) },
      { capabilities: capabilities({ price: '0.05' }) },
    ],
  ])('matches on %s', async (_label, constraints, fitting, unfit) => {
    const good = name('fit');
    const bad = name('unfit');
    await api.register(good, fitting);
    await api.register(bad, unfit);
    const jobId = await api.submitOk({ payload: { prompt: 'x' }, constraints });
    expect(await polledId(bad)).toBeNull();
    expect(await polledId(good)).toBe(jobId);
  });

  it("treats the payload's model as a models constraint", async () => {
    const withModel = name('with');
    const without = name('without');
    await api.register(withModel);
    await api.register(without, { capabilities: capabilities({ models: ['mistral:7b'] }) });
    const jobId = await api.submitOk({ type: 'inference', prompt: 'hi', model: 'llama3.2:latest' });
    expect(await polledId(without)).toBeNull();
    expect(await polledId(withModel)).toBe(jobId);
  });

  it('does not let an ineligible older job block an eligible newer one', async () => {
    const miner = name('hol');
    await api.register(miner);
    const older = await api.submitOk({ payload: {}, constraints: { models: ['nobody-has-this'] } });
    const newer = await api.submitOk({ payload: {} });
    expect(await polledId(miner)).toBe(newer);
    const { rows } = await pool.query('SELECT job_id FROM job_queue WHERE job_id = $1', [older]);
    expect(rows).toHaveLength(1);
  });

  it('runs higher priority first, then oldest first', async () => {
    const miner = name('prio');
    await api.register(miner, { concurrency: 3 });
    const first = await api.submitOk({ payload: { n: 1 } });
    const second = await api.submitOk({ payload: { n: 2 } });
    const urgent = await api.submitOk({ payload: { n: 3 }, priority: 10 });
    expect([await polledId(miner), await polledId(miner), await polledId(miner)]).toEqual([urgent, first, second]);
  });

  it('gives a miner at most `concurrency` jobs, and more once one is done', async () => {
    const miner = name('conc');
    await api.register(miner, { concurrency: 2 });
    const ids = [
      await api.submitOk({ payload: {} }),
      await api.submitOk({ payload: {} }),
      await api.submitOk({ payload: {} }),
    ];
    const got = await Promise.all([polledId(miner), polledId(miner), polledId(miner)]);
    expect(got.filter(Boolean).sort()).toEqual(ids.slice(0, 2).sort());
    const startedAt = Date.now();
    expect((await api.poll(miner, 5)).status).toBe(204);
    expect(Date.now() - startedAt).toBeLessThan(2000); // a full miner is not made to wait
    await api.result(miner, got.find(Boolean)!).expect(200);
    expect(await polledId(miner)).toBe(ids[2]);
  });

  it('gives a draining miner nothing', async () => {
    const miner = name('drain');
    await api.register(miner);
    await api.submitOk({ payload: {} });
    await api.http.post('/v1/miners/drain').set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner).expect(200);
    expect(await polledId(miner)).toBeNull();
  });

  it('hands 10 jobs to exactly 10 of 100 concurrent polls, none twice, across two coordinator processes', async () => {
    const miners = Array.from({ length: 100 }, (_, i) => name(`race${i}`));
    for (const miner of miners) {
      await api.register(miner);
    }
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      ids.add(await api.submitOk({ payload: { i } }));
    }
    const results = await Promise.all(miners.map((miner, i) => polledId(miner, i % 2 === 0 ? api : apiB)));
    const assigned = results.filter((id): id is string => id !== null);
    expect(assigned).toHaveLength(10);
    expect(new Set(assigned)).toEqual(ids);
    const { rows } = await pool.query<{ stream_id: string; n: number }>(
      `SELECT stream_id, count(*)::int AS n FROM es_events WHERE event_type = 'JobAssigned' AND stream_id = ANY($1) GROUP BY 1`,
      [[...ids].map((id) => `job-${id}`)],
    );
    expect(rows.map((r) => r.n)).toEqual(Array(10).fill(1));
  }, 60_000);

  it('wakes a miner long-polling on one coordinator when a job is submitted through another process', async () => {
    const miner = name('longpoll');
    await api.register(miner);
    const waiting = api.poll(miner, 20).then((res) => res); // supertest sends on then()
    await waitFor(() => a.app.get(JobAvailableListener).waiting > 0, { message: 'the poll to wait' });
    const startedAt = Date.now();
    const jobId = await apiB.submitOk({ payload: { prompt: 'wake up' } });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      job_id: jobId,
      payload: { prompt: 'wake up' },
      constraints: {},
      attempt: 1,
      lease_expires_at: expect.stringMatching(/Z$/),
      timeout_seconds: null,
    });
    expect(Date.now() - startedAt).toBeLessThan(5000); // long before max_wait_seconds
  }, 30_000);

  it('honours max_wait_seconds when nothing comes', async () => {
    const miner = name('idle');
    await api.register(miner);
    const startedAt = Date.now();
    expect((await api.poll(miner, 1)).status).toBe(204);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
  });

  it('push mode: a poll naming a job_id takes that job only, and only when it is queued and matches', async () => {
    const miner = name('push');
    await api.register(miner, { concurrency: 4 });
    const older = await api.submitOk({ payload: { task: 'older' } });
    const wanted = await api.submitOk({ payload: { task: 'wanted' } });
    const elsewhere = await api.submitOk({ payload: { task: 'x' }, constraints: { region: 'mars' } });
    const claim = (jobId: string) =>
      api.http
        .post('/v1/miners/poll')
        .set('X-Api-Key', TEST_KEYS.miner)
        .set('X-Miner-ID', miner)
        .send({ max_wait_seconds: 0, job_id: jobId });

    const res = await claim(wanted).expect(200);
    expect(res.body).toMatchObject({ job_id: wanted, payload: { task: 'wanted' }, attempt: 1 });
    expect((await api.job(older).expect(200)).body.state).toBe('QUEUED');
    await claim(wanted).expect(204); // already taken
    await claim(elsewhere).expect(204); // constraints do not match
    const bad = await claim('not-a-job').expect(422);
    expect(bad.body.error.details).toEqual([
      { field: 'job_id', message: 'job_id must be 32 lowercase hex characters', code: 'matches' },
    ]);
  });

  it('hands no job to a long-poll whose miner hung up', async () => {
    const miner = name('gone');
    await api.register(miner);
    const controller = new AbortController();
    const abandoned = fetch(`${a.url}/v1/miners/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEYS.miner, 'x-miner-id': miner },
      body: JSON.stringify({ max_wait_seconds: 20 }),
      signal: controller.signal,
    }).catch(() => 'aborted');
    const listener = a.app.get(JobAvailableListener);
    await waitFor(() => listener.waiting > 0, { message: 'the long-poll waits' });
    controller.abort();
    expect(await abandoned).toBe('aborted');
    await waitFor(() => listener.waiting === 0, { message: 'the abandoned long-poll stops waiting' });
    const jobId = await api.submitOk({ payload: { task: 'for-someone-present' } });
    expect((await api.job(jobId).expect(200)).body).toMatchObject({ state: 'QUEUED', assigned_miner_id: null });
    expect(await polledId(miner)).toBe(jobId);
  });

  it('extends only the leases a heartbeat names in job_ids', async () => {
    const miner = name('named');
    await api.register(miner, { concurrency: 2 });
    const kept = await api.submitOk({ payload: { task: 'kept' } });
    const forgotten = await api.submitOk({ payload: { task: 'forgotten' } });
    expect(await polledId(miner)).toBe(kept);
    expect(await polledId(miner)).toBe(forgotten);
    await pool.query(`UPDATE job_leases SET lease_expires_at = now() - interval '1 hour' WHERE miner_id = $1`, [
      `rig-1/${miner}`,
    ]);
    await api.heartbeat(miner, { job_ids: [kept] }).expect(200);
    const { rows } = await pool.query<{ job_id: string; live: boolean }>(
      'SELECT job_id, lease_expires_at > now() AS live FROM job_leases WHERE miner_id = $1 ORDER BY job_id',
      [`rig-1/${miner}`],
    );
    expect(Object.fromEntries(rows.map((r) => [r.job_id, r.live]))).toEqual({ [kept]: true, [forgotten]: false });
    await api.heartbeat(miner, { job_ids: ['nope'] }).expect(422);
  });

  it('tells a miner about a canceled running job, frees its slot and refuses its late result', async () => {
    const miner = name('cancel');
    await api.register(miner);
    const jobId = await api.submitOk({ payload: {} });
    expect(await polledId(miner)).toBe(jobId);
    await api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    const beat = await api.heartbeat(miner).expect(200);
    expect(beat.body).toEqual({ status: 'ok', cancel_job_ids: [jobId] });
    expect((await api.heartbeat(miner).expect(200)).body.cancel_job_ids).toEqual([]);
    const next = await api.submitOk({ payload: {} });
    expect(await polledId(miner)).toBe(next);
    await api.result(miner, jobId).expect(409);
  });

  it('reports results and failures only from the assigned miner; replays answer the same', async () => {
    const owner = name('owner');
    const stranger = name('stranger');
    await api.register(owner);
    await api.register(stranger);
    const jobId = await api.submitOk({ payload: {} });
    expect(await polledId(owner)).toBe(jobId);
    expect((await api.result(stranger, jobId)).status).toBe(403);
    expect((await api.fail(stranger, jobId, 'E_OOM')).status).toBe(403);
    await api.http
      .post(`/v1/jobs/${jobId}/status`)
      .set('X-Miner-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', owner)
      .send({ status: 'running' })
      .expect(200);
    const first = await api.result(owner, jobId).expect(200);
    const receipt = first.body.receipt;
    expect(first.body).toEqual({ status: 'ok', receipt: expect.any(Object) });
    expect(receipt).toMatchObject({
      version: '1.0',
      receipt_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      job_id: jobId,
      provider: `rig-1/${owner}`,
      client: 'alice',
      status: 'completed',
      unit_type: 'gpu_seconds',
      unit_price: '0.02',
      signature: { alg: 'Ed25519', key_id: expect.any(String), sig: expect.any(String) },
    });
    // the miner reported 12 ms; units never exceed the coordinator's own lease time either
    expect(receipt.units).toBeGreaterThan(0);
    expect(receipt.units).toBeLessThanOrEqual(0.012);
    expect(receipt.units).toBeLessThanOrEqual(receipt.completed_at - receipt.started_at + 1);
    expect(receipt.completed_at).toBeGreaterThanOrEqual(receipt.started_at);
    expect(JSON.stringify(receipt)).not.toContain('done'); // hashes, never the result itself
    const verified = await api.http.post('/v1/receipts/verify').send(receipt).expect(200);
    expect(verified.body).toMatchObject({ valid: true, reasons: [] });
    expect((await api.result(owner, jobId).expect(200)).body).toEqual(first.body);
    const fromResult = await api.http.get(`/v1/jobs/${jobId}/result`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    expect(fromResult.body.receipt).toEqual(receipt);
    // the async miner statistics pick up the receipt of the miner's latest completion
    const listed = await waitFor(
      async () => {
        const res = await api.http.get('/v1/admin/miners').set('X-Api-Key', TEST_KEYS.admin).expect(200);
        const row = (res.body.items as { miner_id: string; last_receipt_id: string | null }[]).find(
          (item) => item.miner_id === `rig-1/${owner}`,
        );
        return row?.last_receipt_id ? row : null;
      },
      { message: 'the miner statistics to show the receipt' },
    );
    expect(listed).toMatchObject({ last_receipt_id: receipt.receipt_id, jobs_completed: 1 });
    expect((await api.result(owner, jobId, { response: 'different' })).status).toBe(409);
    expect((await api.result(owner, 'f'.repeat(32))).status).toBe(404);
    const view = await api.job(jobId).expect(200);
    expect(view.body).toMatchObject({
      state: 'COMPLETED',
      result: { response: 'done' },
      assigned_miner_id: expect.stringContaining(owner),
      receipt_id: receipt.receipt_id,
    });
  });

  it("verifies a miner's proof: a bad one is refused with 422 and the job stays RUNNING", async () => {
    await ready();
    const miner = name('prover');
    await api.register(miner);
    const jobId = await api.submitOk({ payload: {} });
    expect(await polledId(miner)).toBe(jobId);
    const result = { response: 'signed answer' };
    const hash = contentHash(result);
    const keys = keyPairFromSeed(new Uint8Array(randomBytes(32)));
    const proof = (signedHash: string, message = signedHash) => ({
      hash: signedHash,
      signature: encodeBase64Url(sign(new TextEncoder().encode(message), keys.secretKey)),
      public_key: encodeBase64Url(keys.publicKey),
    });
    const send = (body: Record<string, unknown>) =>
      api.http.post(`/v1/miners/${jobId}/result`).set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner).send(body);

    const wrongHash = await send({ result, proof: proof('0'.repeat(64)) }).expect(422);
    expect(wrongHash.body.error.details).toEqual([
      {
        field: 'proof.hash',
        message: 'proof.hash is not the sha256 of the result’s canonical JSON',
        code: 'hashMismatch',
      },
    ]);
    const forged = await send({ result, proof: proof(hash, 'something else') }).expect(422);
    expect(forged.body.error.details[0].field).toBe('proof.signature');
    await send({ result, proof: { ...proof(hash), public_key: 'not*base64' } }).expect(422);
    expect((await api.job(jobId).expect(200)).body.state).toBe('RUNNING');

    await send({ result, proof: proof(hash) }).expect(200);
    expect((await api.job(jobId).expect(200)).body.state).toBe('COMPLETED');
  });

  it('requeues retryable failures until max_attempts, never to a miner lacking the model', async () => {
    const m1 = name('f1');
    const m2 = name('f2');
    await api.register(m1, { concurrency: 4 });
    await api.register(m2, { concurrency: 4 });
    const jobId = await api.submitOk({ payload: {} });
    expect(await polledId(m1)).toBe(jobId);
    expect((await api.fail(m1, jobId, 'E_MODEL_NOT_FOUND', 'no such model').expect(200)).body).toEqual({
      status: 'ok',
      requeued: true,
    });
    expect(await polledId(m1)).toBeNull(); // excluded from this job now
    expect(await polledId(m2)).toBe(jobId);
    expect((await api.fail(m2, jobId, 'E_OOM').expect(200)).body.requeued).toBe(true);
    expect(await polledId(m2)).toBe(jobId);
    expect((await api.fail(m2, jobId, 'E_OOM').expect(200)).body.requeued).toBe(false);
    const view = (await api.job(jobId).expect(200)).body;
    expect(view).toMatchObject({ state: 'FAILED', attempts: 3, error: { code: 'E_OOM', message: 'failed' } });

    const denied = await api.submitOk({ payload: {} });
    expect(await polledId(m2)).toBe(denied);
    expect((await api.fail(m2, denied, 'E_DENY').expect(200)).body.requeued).toBe(false);
    expect((await api.job(denied).expect(200)).body.state).toBe('FAILED');
  });
});

describe('lease loss', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  beforeAll(async () => {
    coordinator = await bootCoordinator(
      testEnv({ MINER_HEARTBEAT_INTERVAL_SECONDS: '1', MINER_LEASE_TTL_SECONDS: '2', JOB_SWEEP_INTERVAL_MS: '100' }),
    );
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  it("requeues the job of a miner that stopped heartbeating, another miner completes it, the first one's late result gets 409", async () => {
    const pool = createTestPool(2);
    try {
      await clearDispatch(pool);
    } finally {
      await pool.end();
    }
    const silent = `silent-${randomBytes(3).toString('hex')}`;
    const healthy = `healthy-${randomBytes(3).toString('hex')}`;
    await api.register(silent);
    await api.register(healthy);
    const jobId = await api.submitOk({ payload: { prompt: 'x' } });
    expect((await api.poll(silent).expect(200)).body.job_id).toBe(jobId);
    // the silent miner sends nothing more; the healthy one long-polls and gets the requeued job
    const res = await api.poll(healthy, 20).expect(200);
    expect(res.body).toMatchObject({ job_id: jobId, attempt: 2 });
    await api.result(healthy, jobId).expect(200);
    await api.result(silent, jobId).expect(409);
    const view = (await api.job(jobId).expect(200)).body;
    expect(view).toMatchObject({
      state: 'COMPLETED',
      attempts: 2,
      assigned_miner_id: expect.stringContaining(healthy),
    });
  }, 30_000);
});
