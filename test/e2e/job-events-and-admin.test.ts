import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Api } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { createTestPool, clearDispatch } from '../support/test-database';
import { waitFor } from '../support/wait-for';

interface SseMessage {
  event: string;
  data: Record<string, unknown>;
}

/** Opens an SSE stream and collects its messages until the server closes it. */
function openStream(url: string, key: string) {
  const messages: SseMessage[] = [];
  let contentType = '';
  const done = (async () => {
    const res = await fetch(url, { headers: { 'X-Api-Key': key, Accept: 'text/event-stream' } });
    contentType = res.headers.get('content-type') ?? '';
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) {
        return res.status;
      }
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data) {
          messages.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    }
  })();
  return { messages, done, contentType: () => contentType };
}

describe('job event stream (SSE) and admin views', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv());
    api = new Api(coordinator.url);
    pool = createTestPool(2);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });

  it('streams QUEUED, RUNNING, COMPLETED and closes after the terminal state', async () => {
    await clearDispatch(pool);
    const miner = `sse-${randomBytes(3).toString('hex')}`;
    await api.register(miner);
    const jobId = await api.submitOk({ payload: { prompt: 'stream me' } });
    const stream = openStream(`${coordinator.url}/v1/jobs/${jobId}/events`, TEST_KEYS.client);
    await waitFor(() => stream.messages.length === 1, { message: 'the current state' });
    expect((await api.poll(miner).expect(200)).body.job_id).toBe(jobId);
    await waitFor(() => stream.messages.length === 2, { message: 'the RUNNING event' });
    await api.result(miner, jobId).expect(200);
    expect(await stream.done).toBe(200);
    expect(stream.contentType()).toContain('text/event-stream');
    expect(stream.messages.map((m) => [m.event, m.data.state, m.data.status, m.data.attempts])).toEqual([
      ['state', 'QUEUED', 'queued', 0],
      ['state', 'RUNNING', 'running', 1],
      ['state', 'COMPLETED', 'completed', 1],
    ]);
    expect(stream.messages[2].data).toEqual({
      job_id: jobId,
      state: 'COMPLETED',
      status: 'completed',
      attempts: 1,
      assigned_miner_id: expect.stringContaining(miner),
      error: null,
      at: expect.stringMatching(/Z$/),
    });
  });

  it('sends a finished job its final state and closes at once', async () => {
    const jobId = await api.submitOk({ payload: {} });
    await api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    const stream = openStream(`${coordinator.url}/v1/jobs/${jobId}/events`, TEST_KEYS.client);
    expect(await stream.done).toBe(200);
    expect(stream.messages.map((m) => m.data.state)).toEqual(['CANCELED']);
  });

  it('reports job and miner counts in /v1/admin/stats', async () => {
    const before = (await api.http.get('/v1/admin/stats').set('X-Api-Key', TEST_KEYS.admin).expect(200)).body;
    expect(Object.keys(before).sort()).toEqual(
      [
        'active_jobs',
        'avg_miner_job_duration_ms',
        'canceled',
        'completed',
        'expired',
        'failed',
        'online_miners',
        'queued',
        'registered_miners',
        'running',
        'total_jobs',
      ].sort(),
    );
    await api.submitOk({ payload: {} });
    await api.register(`stats-${randomBytes(3).toString('hex')}`, {
      capabilities: { gpus: [], models: ['none'], services: [] },
    });
    const after = (await api.http.get('/v1/admin/stats').set('X-Api-Key', TEST_KEYS.admin).expect(200)).body;
    expect(after.total_jobs).toBe(before.total_jobs + 1);
    expect(after.queued + after.running).toBe(after.active_jobs);
    expect(after.registered_miners).toBe(before.registered_miners + 1);
    expect(after.online_miners).toBeGreaterThanOrEqual(1);
  });

  it("lists everyone's jobs for admins, newest first, without payloads or results", async () => {
    for (let i = 0; i < 5; i++) {
      await api.submitOk({ payload: { filler: i } });
    }
    const jobId = await api.submitOk({ payload: { secret: 'not for the admin list' } });
    const page = (await api.http.get('/v1/admin/jobs?limit=5').set('X-Api-Key', TEST_KEYS.admin).expect(200)).body;
    expect(page.items[0]).toEqual({
      job_id: jobId,
      state: 'QUEUED',
      status: 'queued',
      client_id: 'alice',
      assigned_miner_id: null,
      attempts: 0,
      requested_at: expect.any(String),
      expires_at: expect.any(String),
      started_at: null,
      completed_at: null,
      error: null,
      receipt_id: null,
      payment_id: null,
      payment_status: null,
    });
    expect(page.items).toHaveLength(5);
    expect(page.next_cursor).toEqual(expect.any(String));
    const queued = (
      await api.http.get('/v1/admin/jobs?state=QUEUED&limit=200').set('X-Api-Key', TEST_KEYS.admin).expect(200)
    ).body;
    expect(queued.items.every((item: { state: string }) => item.state === 'QUEUED')).toBe(true);
  });
});
