import request from 'supertest';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';

describe('coordinator HTTP basics (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv({ BODY_LIMIT_BYTES: '2048' }));
    http = request(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  const envelope = (status: number, code: string, detail: string, requestId = expect.any(String)) => ({
    detail,
    error: { code, status, details: [] },
    request_id: requestId,
  });

  it('answers GET /v1/health in the seed shape', async () => {
    const res = await http.get('/v1/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', env: 'test', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('answers /health/live and /health/ready with every dependency up', async () => {
    expect((await http.get('/health/live').expect(200)).body).toEqual({
      status: 'ok',
      info: {},
      error: {},
      details: {},
    });
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ok',
      info: {
        database: { status: 'up', responseTime: expect.any(Number) },
        queue: { status: 'up', backend: 'redis', responseTime: expect.any(Number) },
      },
      error: {},
      details: {
        database: { status: 'up', responseTime: expect.any(Number) },
        queue: { status: 'up', backend: 'redis', responseTime: expect.any(Number) },
      },
    });
  });

  it('gives unknown routes a 404 in the error envelope, echoing the request id', async () => {
    const res = await http.get('/v1/nothing-here').set('X-Request-Id', 'req-abc-123').expect(404);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    expect(res.body).toEqual(envelope(404, 'ROUTE_NOT_FOUND', 'no route GET /v1/nothing-here', 'req-abc-123'));
  });

  it("answers an overlong path parameter with the route's own 404 in the envelope, not a framework 414", async () => {
    const res = await http
      .get(`/v1/jobs/${'a'.repeat(1500)}`)
      .set('X-Api-Key', TEST_KEYS.client)
      .expect(404);
    expect(res.body).toEqual(envelope(404, 'JOB_NOT_FOUND', 'job not found'));
  });

  it('serves Prometheus metrics at /metrics (public): jobs, miners, dispatch, HTTP by route template, process', async () => {
    await http.get('/v1/health').expect(200);
    await http
      .get(`/v1/jobs/${'0'.repeat(32)}`)
      .set('X-Api-Key', TEST_KEYS.client)
      .expect(404);
    const res = await http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const state of ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']) {
      expect(res.text).toMatch(new RegExp(`^aitbc_jobs\\{state="${state}"\\} \\d+$`, 'm'));
    }
    expect(res.text).toMatch(/^aitbc_miners\{status="online"\} \d+$/m);
    expect(res.text).toMatch(/^aitbc_dispatch_waiting_polls \d+$/m);
    expect(res.text).toMatch(/^aitbc_http_requests_total\{method="GET",route="\/v1\/health",status="200"\} [1-9]\d*$/m);
    // ids never become labels: the template does
    expect(res.text).toMatch(
      /^aitbc_http_requests_total\{method="GET",route="\/v1\/jobs\/:job_id",status="404"\} [1-9]\d*$/m,
    );
    expect(res.text).not.toContain('0'.repeat(32));
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('generates a request id when none (or an unsafe one) is sent', async () => {
    const res = await http.get('/v1/nothing-here').set('X-Request-Id', 'bad id with spaces').expect(404);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('answers malformed JSON with 422 MALFORMED_JSON, never a 500', async () => {
    for (const body of ['{"payload": ', '{bad json}', '[1,2', '']) {
      const res = await http.post('/v1/jobs').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual(envelope(422, 'MALFORMED_JSON', 'request body is not valid JSON'));
    }
  });

  it('answers a body over the limit with 413', async () => {
    const res = await http
      .post('/v1/jobs')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ payload: { prompt: 'x'.repeat(4096) } }))
      .expect(413);
    expect(res.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE', 'request body is too large'));
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /openapi.json', async () => {
    const ui = await http.get('/docs').expect(200);
    expect(ui.headers['content-type']).toContain('text/html');
    expect(ui.text).toContain('swagger');
    const doc = await http.get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/health', '/health/live', '/health/ready']),
    );
    expect(Object.keys(doc.body.components.securitySchemes)).toEqual(['api-key', 'miner-key']);
  });

  it('writes structured JSON logs that carry the request id and no keys', async () => {
    await http.get('/v1/health').set('X-Request-Id', 'log-check-1').set('X-Api-Key', TEST_KEYS.client).expect(200);
    const logs = coordinator.logs();
    const forRequest = logs.filter((line) => line.reqId === 'log-check-1');
    expect(forRequest.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(forRequest[1]).toMatchObject({ level: 30, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    const everything = JSON.stringify(logs);
    for (const key of Object.values(TEST_KEYS)) {
      expect(everything).not.toContain(key);
    }
  });
});
