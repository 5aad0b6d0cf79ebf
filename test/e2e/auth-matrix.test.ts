import request from 'supertest';
import { capabilities } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';

type Role = 'client' | 'miner' | 'admin';
interface Route {
  method: 'get' | 'post';
  path: string;
  role: Role;
  body?: Record<string, unknown>;
  /** what the right key gets (with an unknown job id where the route takes one) */
  ok: number[];
}

const UNKNOWN_JOB = 'ab'.repeat(16);
/** the 403 a key of another role gets */
const FORBIDDEN: Record<Role, string> = {
  client: 'this route needs a client key',
  miner: 'this route needs a miner key',
  admin: 'this route needs an admin key',
};
const ROUTES: Route[] = [
  { method: 'post', path: '/v1/jobs', role: 'client', body: { payload: { prompt: 'matrix' } }, ok: [201] },
  { method: 'get', path: '/v1/jobs', role: 'client', ok: [200] },
  { method: 'get', path: `/v1/jobs/${UNKNOWN_JOB}`, role: 'client', ok: [404] },
  { method: 'get', path: `/v1/jobs/${UNKNOWN_JOB}/result`, role: 'client', ok: [404] },
  { method: 'post', path: `/v1/jobs/${UNKNOWN_JOB}/cancel`, role: 'client', ok: [404] },
  { method: 'get', path: `/v1/jobs/${UNKNOWN_JOB}/events`, role: 'client', ok: [404] },
  {
    method: 'post',
    path: '/v1/miners/register',
    role: 'miner',
    body: { capabilities: capabilities({ models: ['matrix-only-model'] }), concurrency: 1 },
    ok: [200],
  },
  { method: 'post', path: '/v1/miners/heartbeat', role: 'miner', body: {}, ok: [200] },
  { method: 'post', path: '/v1/miners/poll', role: 'miner', body: {}, ok: [200, 204] },
  { method: 'post', path: `/v1/miners/${UNKNOWN_JOB}/result`, role: 'miner', body: { result: {} }, ok: [404] },
  {
    method: 'post',
    path: `/v1/miners/${UNKNOWN_JOB}/fail`,
    role: 'miner',
    body: { error_code: 'E_OOM', error_message: 'x' },
    ok: [404],
  },
  { method: 'post', path: `/v1/jobs/${UNKNOWN_JOB}/status`, role: 'miner', body: { status: 'running' }, ok: [404] },
  { method: 'post', path: `/v1/jobs/${UNKNOWN_JOB}/complete`, role: 'miner', body: { result: {} }, ok: [404] },
  { method: 'post', path: '/v1/miners/drain', role: 'miner', ok: [200] },
  { method: 'get', path: '/v1/admin/stats', role: 'admin', ok: [200] },
  { method: 'get', path: '/v1/admin/jobs', role: 'admin', ok: [200] },
  { method: 'get', path: '/v1/admin/miners', role: 'admin', ok: [200] },
];

const KEY: Record<Role, string> = { client: TEST_KEYS.client, miner: TEST_KEYS.miner, admin: TEST_KEYS.admin };
const WRONG: Record<Role, Role[]> = {
  client: ['miner', 'admin'],
  miner: ['client', 'admin'],
  admin: ['client', 'miner'],
};

describe('auth matrix: every route × no key / unknown key / wrong role / right role', () => {
  let coordinator: CoordinatorUnderTest;
  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv());
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  const call = (route: Route, key?: string) => {
    let req = request(coordinator.url)[route.method](route.path).set('X-Miner-ID', 'matrix');
    if (key) {
      req = req.set('X-Api-Key', key);
    }
    return route.body ? req.send(route.body) : req;
  };
  const envelope = (status: number, code: string, detail: string) => ({
    detail,
    error: { code, status, details: [] },
    request_id: expect.any(String),
  });

  describe.each(ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s',
    (_name, route) => {
      it('without a key: 401', async () => {
        const res = await call(route);
        expect([res.status, res.body]).toEqual([401, envelope(401, 'UNAUTHORIZED', 'missing API key: send X-Api-Key')]);
      });

      it('with an unknown key: 401', async () => {
        const res = await call(route, 'not-a-configured-key');
        expect([res.status, res.body]).toEqual([401, envelope(401, 'UNAUTHORIZED', 'unknown API key')]);
      });

      it('with a key of another role: 403', async () => {
        for (const wrong of WRONG[route.role]) {
          const res = await call(route, KEY[wrong]);
          expect([wrong, res.status, res.body]).toEqual([
            wrong,
            403,
            envelope(403, 'FORBIDDEN', FORBIDDEN[route.role]),
          ]);
        }
      });

      it('with the right key: passes auth', async () => {
        const res = await call(route, KEY[route.role]);
        expect(route.ok).toContain(res.status);
      });
    },
  );

  it('accepts the seed header X-Miner-Key on miner routes only', async () => {
    await request(coordinator.url)
      .post('/v1/miners/heartbeat')
      .set('X-Miner-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', 'matrix')
      .expect(200);
    await request(coordinator.url).get('/v1/jobs').set('X-Miner-Key', TEST_KEYS.client).expect(401);
  });

  it('refuses an X-Miner-ID that could escape its key', async () => {
    const res = await request(coordinator.url)
      .post('/v1/miners/heartbeat')
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', '../rig-2')
      .expect(422);
    expect(res.body.error.details).toEqual([
      { field: 'X-Miner-ID', message: 'letters, digits, "_", "." and "-", at most 64', code: 'pattern' },
    ]);
  });
});

describe('rate limits per role', () => {
  let coordinator: CoordinatorUnderTest;
  beforeAll(async () => {
    coordinator = await bootCoordinator(
      testEnv({ RATE_LIMIT_CLIENT_PER_MINUTE: '3', RATE_LIMIT_MINER_PER_MINUTE: '2' }),
    );
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  it('answers 429 with Retry-After once a client spends its budget', async () => {
    const get = () => request(coordinator.url).get('/v1/jobs').set('X-Api-Key', TEST_KEYS.client);
    for (let i = 0; i < 3; i++) {
      await get().expect(200);
    }
    const res = await get().expect(429);
    expect(res.headers['retry-after']).toBe('20');
    expect(res.body).toEqual({
      detail: 'rate limit exceeded: retry in 20 s',
      error: { code: 'RATE_LIMITED', status: 429, details: [] },
      request_id: expect.any(String),
    });
  });

  it('gives every miner daemon under one key its own budget', async () => {
    const beat = (miner: string) =>
      request(coordinator.url).post('/v1/miners/heartbeat').set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner);
    await beat('rl-a').expect(404);
    await beat('rl-a').expect(404);
    await beat('rl-a').expect(429);
    await beat('rl-b').expect(404);
  });
});
