import { randomBytes } from 'node:crypto';
import { Api, BOB_KEY } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';

const envelope = (status: number, code: string, detail: unknown = expect.any(String), details: unknown = []) => ({
  detail,
  error: { code, status, details },
  request_id: expect.any(String),
});

describe('jobs API for clients (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;

  beforeAll(async () => {
    coordinator = await bootCoordinator(
      testEnv({ CLIENT_API_KEYS: `alice:${TEST_KEYS.client},bob:${BOB_KEY}`, BODY_LIMIT_BYTES: '65536' }),
    );
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  it('queues a job and returns its view (201)', async () => {
    const res = await api
      .submit({
        payload: { type: 'inference', prompt: 'What is machine learning?', model: 'llama3.2:latest' },
        constraints: { gpu: 'nvidia', min_vram_gb: 8 },
        ttl_seconds: 600,
        priority: 5,
      })
      .expect(201);
    expect(res.body).toEqual({
      job_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      state: 'QUEUED',
      status: 'queued',
      assigned_miner_id: null,
      attempts: 0,
      requested_at: expect.stringMatching(/Z$/),
      expires_at: expect.stringMatching(/Z$/),
      started_at: null,
      completed_at: null,
      error: null,
      receipt_id: null,
      payment_id: null,
      payment_status: null,
      payload: { type: 'inference', prompt: 'What is machine learning?', model: 'llama3.2:latest' },
      result: null,
    });
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.requested_at)).toBe(600_000);
    expect((await api.job(res.body.job_id).expect(200)).body).toEqual(res.body);
  });

  it("accepts the seed's form and never stores the key it carries", async () => {
    const res = await api
      .submit({
        type: 'inference',
        prompt: 'What is machine learning?',
        model: 'llama3.2:latest',
        client_key: 'client_dev_key_1',
      })
      .expect(201);
    expect(res.body.payload).toEqual({
      type: 'inference',
      prompt: 'What is machine learning?',
      model: 'llama3.2:latest',
    });
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.requested_at)).toBe(900_000);
  });

  it("hides another client's job as 404", async () => {
    const jobId = await api.submitOk({ payload: { n: 1 } });
    await api
      .job(jobId, BOB_KEY)
      .expect(404)
      .then((res) => expect(res.body).toEqual(envelope(404, 'JOB_NOT_FOUND', 'job not found')));
    await api.http.get(`/v1/jobs/${jobId}/result`).set('X-Api-Key', BOB_KEY).expect(404);
    await api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', BOB_KEY).expect(404);
    await api.http.get(`/v1/jobs/${jobId}/events`).set('X-Api-Key', BOB_KEY).expect(404);
    await api.job('not-a-job-id').expect(404);
  });

  it('replays an Idempotency-Key with the same body and refuses it with another', async () => {
    const key = `idem-${randomBytes(6).toString('hex')}`;
    const body = { payload: { prompt: 'once', model: 'llama3.2:latest' }, ttl_seconds: 60 };
    const first = await api.submit(body).set('Idempotency-Key', key).expect(201);
    const again = await api
      .submit({ ttl_seconds: 60, payload: { model: 'llama3.2:latest', prompt: 'once' } })
      .set('Idempotency-Key', key)
      .expect(200);
    expect(again.body).toEqual(first.body);
    await api
      .submit({ ...body, ttl_seconds: 61 })
      .set('Idempotency-Key', key)
      .expect(409)
      .then((res) =>
        expect(res.body).toEqual(
          envelope(409, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request'),
        ),
      );
    // keys are per client
    const bobs = await api.submit(body, BOB_KEY).set('Idempotency-Key', key).expect(201);
    expect(bobs.body.job_id).not.toBe(first.body.job_id);
  });

  it('creates exactly one job for concurrent requests with one Idempotency-Key', async () => {
    const key = `idem-race-${randomBytes(6).toString('hex')}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.submit({ payload: { race: key } }).set('Idempotency-Key', key)),
    );
    expect(new Set(results.map((r) => r.body.job_id)).size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
  });

  it('lists own jobs newest first with cursor paging and a state filter', async () => {
    const marker = randomBytes(4).toString('hex');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await api.submitOk({ payload: { marker, i } }, BOB_KEY));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { job_id: string }[]; next_cursor: string | null } } = await api.http
        .get('/v1/jobs')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .set('X-Api-Key', BOB_KEY)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((item) => item.job_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    const canceled = await api.http.post(`/v1/jobs/${ids[0]}/cancel`).set('X-Api-Key', BOB_KEY).expect(200);
    expect(canceled.body.state).toBe('CANCELED');
    const onlyCanceled = await api.http.get('/v1/jobs?state=CANCELED&limit=200').set('X-Api-Key', BOB_KEY).expect(200);
    expect(onlyCanceled.body.items.every((item: { state: string }) => item.state === 'CANCELED')).toBe(true);
    expect(onlyCanceled.body.items.map((item: { job_id: string }) => item.job_id)).toContain(ids[0]);
    const alices = await api.http.get('/v1/jobs?limit=200').expect(401);
    expect(alices.body.error.code).toBe('UNAUTHORIZED');
    for (const bad of ['limit=0', 'limit=201', 'limit=x', 'state=DONE', 'cursor=bm9wZQ']) {
      const res = await api.http.get(`/v1/jobs?${bad}`).set('X-Api-Key', BOB_KEY);
      expect([bad, res.status, res.body.error?.code]).toEqual([bad, 422, 'VALIDATION_FAILED']);
    }
  });

  it('answers 425 for an unfinished result and cancels only unfinished jobs', async () => {
    const jobId = await api.submitOk({ payload: { prompt: 'later' } });
    await api.http
      .get(`/v1/jobs/${jobId}/result`)
      .set('X-Api-Key', TEST_KEYS.client)
      .expect(425)
      .then((res) => expect(res.body).toEqual(envelope(425, 'JOB_NOT_READY', 'job not ready')));
    const canceled = await api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    expect(canceled.body).toMatchObject({
      job_id: jobId,
      state: 'CANCELED',
      status: 'canceled',
      completed_at: expect.any(String),
    });
    await api.http
      .post(`/v1/jobs/${jobId}/cancel`)
      .set('X-Api-Key', TEST_KEYS.client)
      .expect(409)
      .then((res) => expect(res.body).toEqual(envelope(409, 'JOB_ALREADY_TERMINAL', 'job is already CANCELED')));
    const result = await api.http.get(`/v1/jobs/${jobId}/result`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    expect(result.body).toEqual({ state: 'CANCELED', result: null, receipt: null, error: null });
  });

  it.each([
    ['ttl_seconds as a string', { payload: {}, ttl_seconds: '60' }, 'ttl_seconds'],
    ['ttl_seconds above a day', { payload: {}, ttl_seconds: 86401 }, 'ttl_seconds'],
    ['payload not an object', { payload: 'run this' }, 'payload'],
    ['payload an array', { payload: [1, 2] }, 'payload'],
    ['an unknown field', { payload: {}, turbo: true }, 'turbo'],
    ['an unknown constraint', { payload: {}, constraints: { gpu: 'nvidia', colour: 'red' } }, 'constraints.colour'],
    ['min_vram_gb negative', { payload: {}, constraints: { min_vram_gb: -1 } }, 'constraints.min_vram_gb'],
    ['cuda not a version', { payload: {}, constraints: { cuda: 'twelve' } }, 'constraints.cuda'],
    ['models not strings', { payload: {}, constraints: { models: [1] } }, 'constraints.models'],
    ['payment_amount not a decimal', { payload: {}, payment_amount: '1e3' }, 'payment_amount'],
    ['payment_amount a number', { payload: {}, payment_amount: 0.25 }, 'payment_amount'],
    ['payment_currency unknown', { payload: {}, payment_currency: 'BTC' }, 'payment_currency'],
    ['webhook_url not http', { payload: {}, webhook_url: 'ftp://x.example/hook' }, 'webhook_url'],
    ['priority fractional', { payload: {}, priority: 1.5 }, 'priority'],
  ])('answers %s with 422 naming the field', async (_name, body, field) => {
    const res = await api.submit(body as Record<string, unknown>).expect(422);
    expect(res.body).toEqual(envelope(422, 'VALIDATION_FAILED', expect.any(String), expect.any(Array)));
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('answers malformed, non-object and oversized bodies with 4xx, never 500', async () => {
    const post = () =>
      api.http.post('/v1/jobs').set('X-Api-Key', TEST_KEYS.client).set('Content-Type', 'application/json');
    expect((await post().send('{"payload": {')).body).toEqual(
      envelope(422, 'MALFORMED_JSON', 'request body is not valid JSON'),
    );
    expect((await post().send('[]')).status).toBe(422);
    expect((await post().send('"text"')).status).toBe(422);
    expect((await post().send('null')).status).toBe(422);
    await post()
      .send(JSON.stringify({ payload: { blob: 'x'.repeat(70_000) } }))
      .expect(413);
    await api.http
      .post('/v1/jobs')
      .set('X-Api-Key', TEST_KEYS.client)
      .set('Content-Type', 'text/plain')
      .send('hi')
      .expect(415);
  });

  it('checks the key before the body: no key and a bad body is 401, not 422', async () => {
    await api.http
      .post('/v1/jobs')
      .send({ ttl_seconds: 'x' })
      .expect(401)
      .then((res) => expect(res.body).toEqual(envelope(401, 'UNAUTHORIZED', 'missing API key: send X-Api-Key')));
    await api.http
      .post('/v1/jobs')
      .set('X-Api-Key', TEST_KEYS.miner)
      .send({ ttl_seconds: 'x' })
      .expect(403)
      .then((res) => expect(res.body).toEqual(envelope(403, 'FORBIDDEN', 'this route needs a client key')));
  });
});
