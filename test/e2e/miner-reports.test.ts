import { randomBytes } from 'node:crypto';
import { Api } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { clearDispatch, createTestPool } from '../support/test-database';

const envelope = (status: number, code: string, detail: string) => ({
  detail,
  error: { code, status, details: [] },
  request_id: expect.any(String),
});

/**
 * What a miner reports, as the coordinator takes it: reports naming a stale attempt are refused
 * without touching the job, and results get their own, larger body limit.
 */
describe('miner reports: attempts and result size (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  const pool = createTestPool(2);

  beforeAll(async () => {
    // the default limits: BODY_LIMIT_BYTES 1 MiB, RESULT_BODY_LIMIT_BYTES 16 MiB
    coordinator = await bootCoordinator(testEnv({ LOG_LEVEL: 'warn' }));
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool.end();
  });

  const report = (miner: string, jobId: string, kind: 'result' | 'fail', body: Record<string, unknown>) =>
    api.http.post(`/v1/miners/${jobId}/${kind}`).set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner).send(body);
  const eventTypes = async (jobId: string) =>
    (
      await pool.query<{ event_type: string }>(
        'SELECT event_type FROM es_events WHERE stream_id = $1 ORDER BY stream_position',
        [`job-${jobId}`],
      )
    ).rows.map((row) => row.event_type);

  /** A job leased to `miner`, failed once (retryable) and handed back to the same miner: attempt 2. */
  const secondAttempt = async (miner: string) => {
    await clearDispatch(pool);
    await api.register(miner);
    const jobId = await api.submitOk({ payload: { task: 'attempts' } });
    const first = await api.poll(miner).expect(200);
    expect(first.body).toMatchObject({ job_id: jobId, attempt: 1 });
    const failed = await report(miner, jobId, 'fail', { error_code: 'E_RUNTIME', error_message: 'x', attempt: 1 });
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({ status: 'ok', requeued: true });
    const second = await api.poll(miner).expect(200);
    expect(second.body).toMatchObject({ job_id: jobId, attempt: 2 });
    return jobId;
  };

  it('refuses a fail or a result naming an earlier attempt with 409, leaving the running attempt untouched', async () => {
    const miner = `att-${randomBytes(3).toString('hex')}`;
    const jobId = await secondAttempt(miner);
    const before = (await api.job(jobId).expect(200)).body;
    expect(before).toMatchObject({ state: 'RUNNING', attempts: 2 });
    const events = await eventTypes(jobId);

    const stale = envelope(
      409,
      'JOB_NOT_RUNNING',
      "attempt 1 is not the job's current attempt (2): the report is stale",
    );
    const staleFail = await report(miner, jobId, 'fail', {
      error_code: 'E_BAD_INPUT',
      error_message: 'attempt 1 failed for good',
      attempt: 1,
    });
    expect(staleFail.status).toBe(409);
    expect(staleFail.body).toEqual(stale);
    const staleResult = await report(miner, jobId, 'result', { result: { from: 'attempt 1' }, attempt: 1 });
    expect(staleResult.status).toBe(409);
    expect(staleResult.body).toEqual(stale);
    // the seed's alias takes the same body and the same rule
    const alias = await api.http
      .post(`/v1/jobs/${jobId}/complete`)
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ result: { from: 'attempt 1' }, attempt: 1 });
    expect(alias.status).toBe(409);

    expect((await api.job(jobId).expect(200)).body).toEqual(before);
    expect(await eventTypes(jobId)).toEqual(events);

    // the current attempt completes; an exact replay answers the same receipt, with or without its attempt
    const done = await report(miner, jobId, 'result', { result: { from: 'attempt 2' }, attempt: 2 });
    expect(done.status).toBe(200);
    expect(done.body.receipt).toMatchObject({ job_id: jobId });
    const replay = await report(miner, jobId, 'result', { result: { from: 'attempt 2' }, attempt: 2 });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(done.body);
    const bare = await report(miner, jobId, 'result', { result: { from: 'attempt 2' } });
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual(done.body);
    // ...but not as a report on the stale attempt, even with the same result
    const staleReplay = await report(miner, jobId, 'result', { result: { from: 'attempt 2' }, attempt: 1 });
    expect(staleReplay.status).toBe(409);
    expect((await api.job(jobId).expect(200)).body).toMatchObject({
      state: 'COMPLETED',
      attempts: 2,
      result: { from: 'attempt 2' },
    });
  });

  it('keeps 403/404 ahead of the attempt check, and validates the attempt', async () => {
    const miner = `att-${randomBytes(3).toString('hex')}`;
    const jobId = await secondAttempt(miner);
    await api.register(`${miner}-other`);
    // a stranger is refused as a stranger, whatever attempt it names
    expect(
      (await report(`${miner}-other`, jobId, 'fail', { error_code: 'E_RUNTIME', error_message: 'x', attempt: 1 }))
        .status,
    ).toBe(403);
    expect((await report(miner, randomBytes(16).toString('hex'), 'result', { result: {}, attempt: 1 })).status).toBe(
      404,
    );
    for (const attempt of [0, -1, 1.5, '2', 'x', 2_000_000]) {
      const res = await report(miner, jobId, 'fail', { error_code: 'E_RUNTIME', error_message: 'x', attempt });
      expect({ attempt, status: res.status }).toEqual({ attempt, status: 422 });
      expect(res.body.error.details[0]).toMatchObject({ field: 'attempt' });
    }
    // the right attempt is accepted
    expect(
      (await report(miner, jobId, 'fail', { error_code: 'E_BAD_INPUT', error_message: 'bad', attempt: 2 })).body,
    ).toEqual({ status: 'ok', requeued: false });
    expect((await api.job(jobId).expect(200)).body).toMatchObject({ state: 'FAILED', attempts: 2 });
  });

  it('takes a result larger than BODY_LIMIT_BYTES up to RESULT_BODY_LIMIT_BYTES; other routes keep the small limit', async () => {
    const miner = `big-${randomBytes(3).toString('hex')}`;
    await clearDispatch(pool);
    await api.register(miner);
    const jobId = await api.submitOk({ payload: { task: 'transcode' } });
    const polled = await api.poll(miner).expect(200);
    expect(polled.body.job_id).toBe(jobId);

    // ~4 MiB of base64, like an ffmpeg output returned inline: four times the general limit
    const content = randomBytes(3 * 1024 * 1024).toString('base64');
    const result = {
      exit_code: 0,
      outputs: [{ name: 'out.mp4', size_bytes: 3 * 1024 * 1024, content_base64: content }],
    };
    expect(Buffer.byteLength(JSON.stringify({ result }))).toBeGreaterThan(4 * 1024 * 1024);

    // anywhere else, a body that size is refused
    const elsewhere = await api.http
      .post('/v1/miners/heartbeat')
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ metadata: { blob: content } });
    expect(elsewhere.status).toBe(413);
    expect(elsewhere.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE', 'request body is too large'));

    const res = await report(miner, jobId, 'result', { result, metrics: { duration_ms: 900 }, attempt: 1 });
    expect(res.status).toBe(200);
    expect(res.body.receipt).toMatchObject({ job_id: jobId });
    const view = (await api.http.get(`/v1/jobs/${jobId}/result`).set('X-Api-Key', TEST_KEYS.client).expect(200)).body;
    expect(view.result.outputs[0].content_base64).toBe(content);
  });
});
