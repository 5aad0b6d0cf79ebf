import { envelope, fakeIo, json, networkError } from '../../../test/support/fake-io';
import { EXIT, type CliError } from './exit-codes';
import { HttpClient, MAX_RETRIES } from './http';

const config = { url: 'http://coordinator.test', apiKey: 'secret-key-123', keySource: 'AITBC_API_KEY' };
const JOB = { job_id: 'ab'.repeat(16), state: 'QUEUED' };

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    return error as CliError;
  }
  throw new Error('expected a failure');
}

describe('HttpClient', () => {
  it('sends the key and JSON, and returns the parsed answer', async () => {
    const io = fakeIo({ fetch: () => json(201, JOB) });
    const http = new HttpClient(config, io, 'client');
    await expect(http.post('/v1/jobs', { payload: {} }, { query: { a: 1, b: undefined } })).resolves.toEqual(JOB);
    expect(io.requests).toEqual([
      {
        method: 'POST',
        url: 'http://coordinator.test/v1/jobs?a=1',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-api-key': 'secret-key-123' },
        body: { payload: {} },
      },
    ]);
  });

  it('sends no key on routes that need none', async () => {
    const io = fakeIo({ fetch: () => json(200, { status: 'ok' }) });
    await new HttpClient(config, io, 'none').get('/v1/health');
    expect(io.requests[0].headers).not.toHaveProperty('x-api-key');
  });

  it('retries a lost answer of a safe request with exponential backoff and jitter, with the same headers', async () => {
    let calls = 0;
    const io = fakeIo({
      random: 1,
      fetch: () => {
        calls++;
        if (calls < 3) {
          throw networkError(calls === 1 ? 'ECONNRESET' : 'UND_ERR_SOCKET');
        }
        return json(200, JOB);
      },
    });
    const http = new HttpClient(config, io, 'client');
    await http.post('/v1/jobs', { payload: {} }, { headers: { 'Idempotency-Key': 'k-1' }, retry: 'safe' });
    expect(io.sleeps).toEqual([250, 500]);
    expect(io.requests.map((request) => request.headers['idempotency-key'])).toEqual(['k-1', 'k-1', 'k-1']);
  });

  it('jitters each delay between half and all of its exponential step', async () => {
    const low = fakeIo({ random: 0, fetch: () => Promise.reject(networkError('ECONNRESET')) });
    await failure(new HttpClient(config, low, 'client').get('/v1/jobs'));
    expect(low.sleeps).toEqual([125, 250, 500]);
  });

  it(`gives up after ${MAX_RETRIES} retries with exit 5 and one line naming the URL (never the key)`, async () => {
    const io = fakeIo();
    const error = await failure(new HttpClient(config, io, 'client').get('/v1/jobs'));
    expect(io.requests).toHaveLength(MAX_RETRIES + 1);
    expect(error.exitCode).toBe(EXIT.unreachable);
    expect(error.message).toBe('cannot reach http://coordinator.test: connection refused (gave up after 4 attempts)');
    expect(error.message).not.toContain('secret-key-123');
  });

  it('repeats an unsafe request only when it never left (connection refused), not when its answer was lost', async () => {
    const refused = fakeIo();
    await failure(new HttpClient(config, refused, 'admin').post('/v1/admin/accounts/client:a/deposit', {}));
    expect(refused.requests).toHaveLength(4);

    const lost = fakeIo({ fetch: () => Promise.reject(networkError('ECONNRESET')) });
    const error = await failure(new HttpClient(config, lost, 'admin').post('/v1/admin/accounts/client:a/deposit', {}));
    expect(lost.requests).toHaveLength(1);
    expect(error.message).toBe('cannot reach http://coordinator.test: connection reset');
  });

  it('retries 502/503/504 for safe requests only, and 429 for any, waiting as Retry-After asks', async () => {
    const statuses = [503, 429, 200];
    const io = fakeIo({
      fetch: () => {
        const status = statuses.shift()!;
        return status === 200 ? json(200, JOB) : envelope(status, 'RATE_LIMITED', 'slow down');
      },
    });
    const http = new HttpClient(config, io, 'client');
    await http.get('/v1/jobs');
    expect(io.requests).toHaveLength(3);

    const limited = fakeIo({
      fetch: () =>
        json(
          429,
          {
            detail: 'rate limit exceeded: retry in 2 s',
            error: { code: 'RATE_LIMITED', status: 429, details: [] },
            request_id: 'req-1',
          },
          { 'retry-after': '2' },
        ),
    });
    const error = await failure(new HttpClient(config, limited, 'admin').post('/x', {}));
    expect(limited.sleeps).toEqual([2000, 2000, 2000]);
    expect(error.exitCode).toBe(EXIT.unreachable);
    expect(error.message).toBe('rate limit exceeded: retry in 2 s (429 RATE_LIMITED; after 4 attempts)');

    const unsafe503 = fakeIo({ fetch: () => envelope(503, 'SERVICE_UNAVAILABLE', 'database unavailable') });
    await failure(new HttpClient(config, unsafe503, 'admin').post('/x', {}));
    expect(unsafe503.requests).toHaveLength(1);
  });

  it.each([
    [401, 'UNAUTHORIZED', 'unknown API key', EXIT.auth, 'unknown API key (401 UNAUTHORIZED; key from AITBC_API_KEY)'],
    [
      403,
      'FORBIDDEN',
      'this route needs an admin key',
      EXIT.auth,
      'this route needs an admin key (403 FORBIDDEN; key from AITBC_API_KEY)',
    ],
    [404, 'JOB_NOT_FOUND', 'job not found', EXIT.notFound, 'job not found (404 JOB_NOT_FOUND)'],
    [409, 'JOB_ALREADY_TERMINAL', 'job is COMPLETED', EXIT.usage, 'job is COMPLETED (409 JOB_ALREADY_TERMINAL)'],
    [402, 'PAYMENT_REQUIRED', 'insufficient balance', EXIT.usage, 'insufficient balance (402 PAYMENT_REQUIRED)'],
    [
      422,
      'VALIDATION_FAILED',
      'ttl_seconds must not be greater than 86400',
      EXIT.usage,
      'ttl_seconds must not be greater than 86400 (422 VALIDATION_FAILED)',
    ],
    [
      500,
      'INTERNAL_ERROR',
      'internal error',
      EXIT.unreachable,
      'internal error (500 INTERNAL_ERROR; request id req-1)',
    ],
  ])('maps %i %s to exit %i with the contract detail', async (status, code, detail, exitCode, message) => {
    const io = fakeIo({ fetch: () => envelope(status, code, detail) });
    const error = await failure(new HttpClient(config, io, 'client').post('/v1/jobs', {}));
    expect({ exitCode: error.exitCode, message: error.message, http: error.http }).toEqual({
      exitCode,
      message,
      http: { status, code, request_id: 'req-1' },
    });
  });

  it('describes an answer that is not the error envelope by its status', async () => {
    const io = fakeIo({ fetch: () => new Response('<html>bad gateway</html>', { status: 502 }) });
    const error = await failure(new HttpClient(config, io, 'client').post('/v1/jobs', {}));
    expect(error.message).toBe('HTTP 502 (502)');
    expect(error.exitCode).toBe(EXIT.unreachable);
  });

  it('takes statuses it is told are answers as answers, and does not retry with retry: never', async () => {
    const io = fakeIo({ fetch: () => json(503, { status: 'error' }) });
    const answer = await new HttpClient(config, io, 'none').send('GET', '/health/ready', {
      retry: 'never',
      answerStatuses: [503],
    });
    expect(answer).toEqual({ status: 503, body: { status: 'error' } });
    expect(io.requests).toHaveLength(1);
  });
});

describe('HttpClient.events', () => {
  it('yields the messages of an event stream across chunk boundaries', async () => {
    const chunks = [
      'event: state\ndata: {"state":"QUE',
      'UED"}\n\n: keepalive\n\nevent: state\ndata: {"state":"RUNNING"}\n\n',
    ];
    const io = fakeIo({
      fetch: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              for (const chunk of chunks) {
                controller.enqueue(new TextEncoder().encode(chunk));
              }
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    const seen = [];
    for await (const message of new HttpClient(config, io, 'client').events(
      '/v1/jobs/x/events',
      new AbortController().signal,
    )) {
      seen.push(message);
    }
    expect(seen).toEqual([
      { event: 'state', data: '{"state":"QUEUED"}' },
      { event: 'state', data: '{"state":"RUNNING"}' },
    ]);
    expect(io.requests[0].headers).toEqual({ accept: 'text/event-stream', 'x-api-key': 'secret-key-123' });
  });

  it('fails with the envelope when the stream is refused, and when the answer is not a stream', async () => {
    const refused = fakeIo({ fetch: () => envelope(404, 'JOB_NOT_FOUND', 'job not found') });
    const stream = new HttpClient(config, refused, 'client').events('/v1/jobs/x/events', new AbortController().signal);
    await expect(stream.next()).rejects.toMatchObject({
      exitCode: EXIT.notFound,
      message: 'job not found (404 JOB_NOT_FOUND)',
    });

    const plain = fakeIo({ fetch: () => json(200, {}) });
    const notStream = new HttpClient(config, plain, 'client').events('/v1/jobs/x/events', new AbortController().signal);
    await expect(notStream.next()).rejects.toMatchObject({
      exitCode: EXIT.unreachable,
      message: 'the coordinator did not open an event stream',
    });
  });
});
