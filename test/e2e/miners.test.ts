import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import request from 'supertest';
import type { AdminMinerListDto } from '@aitbc/contracts';
import { EventRegistry, EventStore } from '@aitbc/event-store';
import { EVENT_DEFINITIONS } from '../../apps/coordinator/src/events';
import type { NewJobEvent } from '../../apps/coordinator/src/jobs/job.events';
import { JobStore } from '../../apps/coordinator/src/jobs/job-store';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator } from '../support/coordinator';
import { createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { jobSubmittedData } from '../support/job-fixtures';

const CAPABILITIES = {
  gpus: [
    { name: 'NVIDIA GeForce RTX 4060 Ti', vendor: 'NVIDIA', memory_mb: 16380, uuid: 'GPU-5f3c' },
    { name: 'NVIDIA RTX A6000', vendor: 'nvidia', memory_mb: 49140 },
  ],
  cuda: '12.4',
  models: ['llama3.2:latest', 'Mistral:7B'],
  services: ['LLM_Inference', 'ffmpeg'],
  price: '0.02',
  unit_type: 'gpu_seconds',
  cpu: { cores: 16 },
  memory_mb: 65536,
  disk_free_mb: 512000,
};
const REGISTRATION = {
  capabilities: CAPABILITIES,
  concurrency: 2,
  region: 'EU-West',
  endpoint: 'http://10.0.0.7:18001',
};

/** A daemon name no other test uses: the tests share one database. */
const daemonName = () => `t-${randomUUID().slice(0, 8)}`;
/** Job ids this suite writes leases and cancellations for directly; removed again at the end. */
const jobIds: string[] = [];
const jobId = () => {
  const id = randomBytes(16).toString('hex');
  jobIds.push(id);
  return id;
};

const envelope = (status: number, code: string, detail: string, details: unknown[] = []) => ({
  detail,
  error: { code, status, details },
  request_id: expect.any(String),
});

describe('miners (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let http: ReturnType<typeof request>;
  let db: Pool;

  beforeAll(async () => {
    coordinator = await bootCoordinator();
    http = request(coordinator.url);
    db = createTestPool(2);
  }, 60_000);
  afterAll(async () => {
    await db?.query('DELETE FROM job_leases WHERE job_id = ANY($1)', [jobIds]);
    await db?.query('DELETE FROM miner_cancellations WHERE job_id = ANY($1)', [jobIds]);
    await db?.end();
    await coordinator?.stop();
  });

  const register = (name: string | null, body: object = REGISTRATION) => {
    const req = http.post('/v1/miners/register').set('X-Api-Key', TEST_KEYS.miner);
    return (name === null ? req : req.set('X-Miner-ID', name)).send(body);
  };
  const heartbeat = (name: string) =>
    http.post('/v1/miners/heartbeat').set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', name);
  const drain = (name: string) =>
    http.post('/v1/miners/drain').set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', name);
  const adminMiner = async (minerId: string) => {
    const res = await http.get('/v1/admin/miners').set('X-Api-Key', TEST_KEYS.admin).expect(200);
    return (res.body as AdminMinerListDto).items.find((item) => item.miner_id === minerId);
  };
  const minerRow = async (minerId: string) =>
    (await db.query('SELECT * FROM miners WHERE miner_id = $1', [minerId])).rows[0] as
      Record<string, unknown> | undefined;
  const eventTypes = async (minerId: string) =>
    (
      await db.query<{ event_type: string }>(
        'SELECT event_type FROM es_events WHERE stream_id = $1 ORDER BY stream_position',
        [`miner-${minerId}`],
      )
    ).rows.map((row) => row.event_type);

  describe('POST /v1/miners/register', () => {
    it('registers the daemon named by X-Miner-ID under its key and opens a session', async () => {
      const name = daemonName();
      const before = Date.now();
      const res = await register(name).expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        miner_id: `rig-1/${name}`,
        session_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        heartbeat_interval_seconds: 15,
        lease_ttl_seconds: 60,
      });
      const row = await minerRow(`rig-1/${name}`);
      expect(row).toEqual({
        miner_id: `rig-1/${name}`,
        owner_id: 'rig-1',
        status: 'ONLINE',
        capabilities: CAPABILITIES,
        gpu_names: ['nvidia', 'nvidia geforce rtx 4060 ti', 'nvidia rtx a6000'],
        max_vram_mb: 49140,
        cuda: 12004,
        models: ['llama3.2:latest', 'Mistral:7B'],
        services: ['ffmpeg', 'llm_inference'],
        price_micro: '20000',
        region: 'eu-west',
        endpoint: 'http://10.0.0.7:18001',
        concurrency: 2,
        reported_inflight: null,
        metadata: null,
        session_token_hash: createHash('sha256').update(res.body.session_token).digest('hex'),
        registered_at: expect.any(Date),
        last_heartbeat: expect.any(Date),
      });
      expect((row!.registered_at as Date).getTime()).toBeGreaterThanOrEqual(before);
      expect(row!.last_heartbeat).toEqual(row!.registered_at);
      const { rows } = await db.query('SELECT event_type, data FROM es_events WHERE stream_id = $1', [
        `miner-rig-1/${name}`,
      ]);
      expect(rows).toEqual([
        {
          event_type: 'MinerRegistered',
          data: {
            miner_id: `rig-1/${name}`,
            owner_id: 'rig-1',
            capabilities: CAPABILITIES,
            concurrency: 2,
            region: 'EU-West',
            endpoint: 'http://10.0.0.7:18001',
            registered_at: (row!.registered_at as Date).toISOString(),
          },
        },
      ]);
    });

    it('uses the key name as the miner id without X-Miner-ID, and accepts the seed header X-Miner-Key', async () => {
      const plain = await register(null).expect(200);
      expect(plain.body.miner_id).toBe('rig-1');
      const name = daemonName();
      const seed = await http
        .post('/v1/miners/register')
        .set('X-Miner-Key', TEST_KEYS.miner)
        .set('X-Miner-ID', name)
        .send({ capabilities: { gpus: [], models: [], services: ['ffmpeg'] }, concurrency: 1 })
        .expect(200);
      expect(seed.body).toEqual({
        status: 'ok',
        miner_id: `rig-1/${name}`,
        session_token: expect.any(String),
        heartbeat_interval_seconds: 15,
        lease_ttl_seconds: 60,
      });
      expect(await minerRow(`rig-1/${name}`)).toMatchObject({
        gpu_names: [],
        max_vram_mb: null,
        cuda: null,
        price_micro: '0',
        region: null,
        endpoint: null,
      });
    });

    it('treats a second registration as an upsert: new capabilities, a new session, ONLINE again', async () => {
      const name = daemonName();
      const first = await register(name).expect(200);
      await drain(name).expect(200);
      await db.query(`UPDATE miners SET reported_inflight = 1 WHERE miner_id = $1`, [`rig-1/${name}`]);
      const second = await register(name, { ...REGISTRATION, concurrency: 5, region: 'us-east' }).expect(200);
      expect(second.body.session_token).not.toBe(first.body.session_token);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'ONLINE', concurrency: 5, region: 'us-east' });
      expect(await minerRow(`rig-1/${name}`)).toMatchObject({
        session_token_hash: createHash('sha256').update(second.body.session_token).digest('hex'),
        reported_inflight: null,
      });
      expect(await eventTypes(`rig-1/${name}`)).toEqual(['MinerRegistered', 'MinerDrained', 'MinerRegistered']);
    });
  });

  describe('POST /v1/miners/heartbeat', () => {
    it('answers 404 MINER_NOT_REGISTERED before registration, with or without a status', async () => {
      const name = daemonName();
      expect((await heartbeat(name).expect(404)).body).toEqual(
        envelope(404, 'MINER_NOT_REGISTERED', 'miner not registered'),
      );
      expect((await heartbeat(name).send({ status: 'DRAINING' }).expect(404)).body).toEqual(
        envelope(404, 'MINER_NOT_REGISTERED', 'miner not registered'),
      );
      expect(await eventTypes(`rig-1/${name}`)).toEqual([]);
    });

    it('accepts no body, an empty object and a full body, recording the beat without an event', async () => {
      const name = daemonName();
      await register(name).expect(200);
      await db.query(`UPDATE miners SET last_heartbeat = now() - interval '10 minutes' WHERE miner_id = $1`, [
        `rig-1/${name}`,
      ]);
      const before = Date.now();
      expect((await heartbeat(name).expect(200)).body).toEqual({ status: 'ok', cancel_job_ids: [] });
      expect(((await minerRow(`rig-1/${name}`))!.last_heartbeat as Date).getTime()).toBeGreaterThanOrEqual(before);
      expect((await heartbeat(name).send({}).expect(200)).body).toEqual({ status: 'ok', cancel_job_ids: [] });
      await heartbeat(name)
        .send({ inflight: 1, metadata: { gpu_temp_c: 61 } })
        .expect(200);
      expect(await minerRow(`rig-1/${name}`)).toMatchObject({
        status: 'ONLINE',
        reported_inflight: 1,
        metadata: { gpu_temp_c: 61 },
      });
      // explicit nulls declare nothing: the last report and the status stand
      await heartbeat(name).send({ status: null, inflight: null, metadata: null }).expect(200);
      expect(await minerRow(`rig-1/${name}`)).toMatchObject({
        status: 'ONLINE',
        reported_inflight: 1,
        metadata: { gpu_temp_c: 61 },
      });
      expect(await eventTypes(`rig-1/${name}`)).toEqual(['MinerRegistered']);
    });

    it('records a change of declared status as an event (with the beat), a repeated status as nothing', async () => {
      const name = daemonName();
      await register(name).expect(200);
      const [canceled, leased] = [jobId(), jobId()];
      await db.query('INSERT INTO miner_cancellations (miner_id, job_id) VALUES ($1, $2)', [`rig-1/${name}`, canceled]);
      await db.query(
        `INSERT INTO job_leases (job_id, miner_id, attempt, assigned_at, lease_expires_at)
         VALUES ($1, $2, 1, now(), now() - interval '1 second')`,
        [leased, `rig-1/${name}`],
      );
      expect((await heartbeat(name).send({ status: 'DRAINING' }).expect(200)).body).toEqual({
        status: 'ok',
        cancel_job_ids: [canceled],
      });
      const lease = await db.query('SELECT lease_expires_at > now() AS extended FROM job_leases WHERE job_id = $1', [
        leased,
      ]);
      expect(lease.rows).toEqual([{ extended: true }]);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'DRAINING' });
      await heartbeat(name).send({ status: 'DRAINING' }).expect(200);
      await heartbeat(name).send({ status: 'ONLINE' }).expect(200);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'ONLINE' });
      expect(await eventTypes(`rig-1/${name}`)).toEqual(['MinerRegistered', 'MinerDrained', 'MinerResumed']);
    });

    it("extends the leases of the miner's running jobs, and only its own", async () => {
      const name = daemonName();
      const other = daemonName();
      await register(name).expect(200);
      const [mine, theirs] = [jobId(), jobId()];
      const old = new Date(Date.now() - 30_000);
      for (const [job, miner] of [
        [mine, `rig-1/${name}`],
        [theirs, `rig-1/${other}`],
      ]) {
        await db.query(
          `INSERT INTO job_leases (job_id, miner_id, attempt, assigned_at, lease_expires_at) VALUES ($1, $2, 1, $3, $3)`,
          [job, miner, old],
        );
      }
      const before = Date.now();
      await heartbeat(name).expect(200);
      const after = Date.now();
      const { rows } = await db.query<{ job_id: string; lease_expires_at: Date }>(
        'SELECT job_id, lease_expires_at FROM job_leases WHERE job_id = ANY($1)',
        [[mine, theirs]],
      );
      const expiry = new Map(rows.map((row) => [row.job_id, row.lease_expires_at.getTime()]));
      expect(expiry.get(mine)).toBeGreaterThanOrEqual(before + 60_000);
      expect(expiry.get(mine)).toBeLessThanOrEqual(after + 60_000);
      expect(expiry.get(theirs)).toBe(old.getTime());
    });

    it('hands over the cancellations waiting for the miner exactly once, sorted', async () => {
      const name = daemonName();
      const other = daemonName();
      await register(name).expect(200);
      const jobs = [jobId(), jobId(), jobId()];
      await db.query(`INSERT INTO miner_cancellations (miner_id, job_id) VALUES ($1, $3), ($1, $4), ($2, $5)`, [
        `rig-1/${name}`,
        `rig-1/${other}`,
        ...jobs,
      ]);
      expect((await heartbeat(name).expect(200)).body).toEqual({
        status: 'ok',
        cancel_job_ids: [jobs[0], jobs[1]].sort(),
      });
      expect((await heartbeat(name).expect(200)).body).toEqual({ status: 'ok', cancel_job_ids: [] });
      const { rows } = await db.query('SELECT miner_id, job_id FROM miner_cancellations WHERE job_id = ANY($1)', [
        jobs,
      ]);
      expect(rows).toEqual([{ miner_id: `rig-1/${other}`, job_id: jobs[2] }]);
    });
  });

  describe('POST /v1/miners/drain', () => {
    it('drains a registered miner once, idempotently; 404 before registration', async () => {
      const name = daemonName();
      expect((await drain(name).expect(404)).body).toEqual(
        envelope(404, 'MINER_NOT_REGISTERED', 'miner not registered'),
      );
      await register(name).expect(200);
      expect((await drain(name).expect(200)).body).toEqual({ status: 'ok' });
      expect((await drain(name).expect(200)).body).toEqual({ status: 'ok' });
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'DRAINING' });
      expect(await eventTypes(`rig-1/${name}`)).toEqual(['MinerRegistered', 'MinerDrained']);
    });
  });

  describe('GET /v1/admin/miners', () => {
    it('lists every miner in miner_id order with its leases and statistics', async () => {
      const [a, b] = [daemonName(), daemonName()].sort();
      await register(b, { ...REGISTRATION, concurrency: 3 }).expect(200);
      await register(a).expect(200);
      await db.query(
        `INSERT INTO job_leases (job_id, miner_id, attempt, assigned_at, lease_expires_at)
         VALUES ($1, $3, 1, now(), now() + interval '1 minute'), ($2, $3, 1, now(), now() + interval '1 minute')`,
        [jobId(), jobId(), `rig-1/${b}`],
      );
      await db.query(
        `INSERT INTO miner_stats (miner_id, jobs_completed, jobs_failed, total_duration_ms, last_receipt_id)
         VALUES ($1, 4, 1, 50001, 'r-1')`,
        [`rig-1/${b}`],
      );
      const res = await http.get('/v1/admin/miners').set('X-Api-Key', TEST_KEYS.admin).expect(200);
      expect(Object.keys(res.body)).toEqual(['items']);
      const ids = (res.body.items as { miner_id: string }[]).map((item) => item.miner_id);
      expect(ids).toEqual([...ids].sort());
      const mine = (res.body.items as { miner_id: string }[]).filter((item) =>
        [`rig-1/${a}`, `rig-1/${b}`].includes(item.miner_id),
      );
      expect(mine).toEqual([
        {
          miner_id: `rig-1/${a}`,
          status: 'ONLINE',
          inflight: 0,
          concurrency: 2,
          region: 'eu-west',
          last_heartbeat: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          jobs_completed: 0,
          jobs_failed: 0,
          average_job_duration_ms: null,
          last_receipt_id: null,
        },
        {
          miner_id: `rig-1/${b}`,
          status: 'ONLINE',
          inflight: 2,
          concurrency: 3,
          region: 'eu-west',
          last_heartbeat: expect.stringMatching(/Z$/),
          jobs_completed: 4,
          jobs_failed: 1,
          average_job_duration_ms: 12500,
          last_receipt_id: 'r-1',
        },
      ]);
    });

    it('shows a miner silent for longer than the lease TTL as OFFLINE until it beats again', async () => {
      const name = daemonName();
      await register(name).expect(200);
      await drain(name).expect(200);
      await db.query(`UPDATE miners SET last_heartbeat = now() - interval '61 seconds' WHERE miner_id = $1`, [
        `rig-1/${name}`,
      ]);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'OFFLINE' });
      await heartbeat(name).expect(200);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'DRAINING' });
      await db.query(`UPDATE miners SET last_heartbeat = now() - interval '50 seconds' WHERE miner_id = $1`, [
        `rig-1/${name}`,
      ]);
      expect(await adminMiner(`rig-1/${name}`)).toMatchObject({ status: 'DRAINING' });
    });
    it('fills jobs_completed and the average duration in the background from job events', async () => {
      const name = daemonName();
      const minerId = `rig-1/${name}`;
      await register(name).expect(200);
      const jobs = new JobStore(db, new EventStore(new EventRegistry(EVENT_DEFINITIONS)));
      const id = jobId();
      const t0 = Date.now();
      const at = (ms: number) => new Date(t0 + ms).toISOString();
      const history: NewJobEvent[] = [
        {
          type: 'JobSubmitted',
          data: jobSubmittedData({ job_id: id, payload: { prompt: 'hi' }, requested_at: at(0) }),
        },
        {
          type: 'JobAssigned',
          data: { miner_id: minerId, attempt: 1, assigned_at: at(0), lease_expires_at: at(60_000), timeout_at: null },
        },
        {
          type: 'JobCompleted',
          data: { miner_id: minerId, attempt: 1, result: {}, metrics: {}, result_hash: 'h', completed_at: at(1_250) },
        },
      ];
      for (const event of history) {
        await jobs.execute(id, () => ({ events: [event], result: null }));
      }
      const row = await waitFor(async () => {
        const item = await adminMiner(minerId);
        return item?.jobs_completed === 1 ? item : null;
      });
      expect(row).toMatchObject({ jobs_completed: 1, jobs_failed: 0, average_job_duration_ms: 1250 });
    });
  });

  describe('auth', () => {
    const name = daemonName();
    const routes = [
      { method: 'post', path: '/v1/miners/register', role: 'miner', wrong: TEST_KEYS.client, body: REGISTRATION },
      { method: 'post', path: '/v1/miners/heartbeat', role: 'miner', wrong: TEST_KEYS.admin, body: {} },
      { method: 'post', path: '/v1/miners/drain', role: 'miner', wrong: TEST_KEYS.client, body: undefined },
      { method: 'get', path: '/v1/admin/miners', role: 'admin', wrong: TEST_KEYS.miner, body: undefined },
    ] as const;
    const right = { miner: TEST_KEYS.miner, admin: TEST_KEYS.admin };
    const FORBIDDEN = { miner: 'this route needs a miner key', admin: 'this route needs an admin key' };

    beforeAll(async () => {
      await register(name).expect(200);
    });

    const call = (route: (typeof routes)[number], key?: string) => {
      let req = route.method === 'get' ? http.get(route.path) : http.post(route.path);
      req = req.set('X-Miner-ID', name);
      if (key !== undefined) {
        req = req.set('X-Api-Key', key);
      }
      return route.body === undefined ? req : req.send(route.body);
    };

    it.each(routes)('$method $path: 401 without a key, 401 for an unknown key, 403 for another role', async (route) => {
      expect((await call(route).expect(401)).body).toEqual(
        envelope(401, 'UNAUTHORIZED', 'missing API key: send X-Api-Key'),
      );
      expect((await call(route, 'no-such-key-0001').expect(401)).body).toEqual(
        envelope(401, 'UNAUTHORIZED', 'unknown API key'),
      );
      expect((await call(route, route.wrong).expect(403)).body).toEqual(
        envelope(403, 'FORBIDDEN', FORBIDDEN[route.role]),
      );
      const ok = await call(route, right[route.role]);
      expect(ok.status).toBe(200);
    });

    it('checks the key before the body', async () => {
      const res = await http.post('/v1/miners/register').send({ concurrency: 0, bogus: true }).expect(401);
      expect(res.body).toEqual(envelope(401, 'UNAUTHORIZED', 'missing API key: send X-Api-Key'));
    });
  });

  describe('bad input', () => {
    const detail = (field: string, message: string, code: string) => ({ field, message, code });
    const cases: [string, object, ReturnType<typeof detail>[]][] = [
      [
        'concurrency 0',
        { ...REGISTRATION, concurrency: 0 },
        [detail('concurrency', 'concurrency must not be less than 1', 'min')],
      ],
      [
        'concurrency 65',
        { ...REGISTRATION, concurrency: 65 },
        [detail('concurrency', 'concurrency must not be greater than 64', 'max')],
      ],
      [
        'capabilities missing',
        { concurrency: 1 },
        [detail('capabilities', 'capabilities must be an object', 'isObject')],
      ],
      [
        'gpus[0].memory_mb as a string',
        { ...REGISTRATION, capabilities: { ...CAPABILITIES, gpus: [{ name: 'x', vendor: 'y', memory_mb: '16384' }] } },
        [
          detail('capabilities.gpus.0.memory_mb', 'memory_mb must not be greater than 10000000', 'max'),
          detail('capabilities.gpus.0.memory_mb', 'memory_mb must not be less than 0', 'min'),
          detail('capabilities.gpus.0.memory_mb', 'memory_mb must be an integer number', 'isInt'),
        ],
      ],
      [
        'an unknown top-level field',
        { ...REGISTRATION, wallet: 'abc' },
        [detail('wallet', 'property wallet should not exist', 'whitelistValidation')],
      ],
      [
        'an unknown field inside capabilities',
        { ...REGISTRATION, capabilities: { ...CAPABILITIES, tflops: 82 } },
        [detail('capabilities.tflops', 'property tflops should not exist', 'whitelistValidation')],
      ],
    ];

    it.each(cases)('register with %s → 422 with details', async (_label, body, details) => {
      const name = daemonName();
      const res = await register(name, body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual(
        envelope(422, 'VALIDATION_FAILED', `${details[0].field}: ${details[0].message}`, details),
      );
      expect(await minerRow(`rig-1/${name}`)).toBeUndefined();
    });

    it('rejects a bad heartbeat body with 422, never a 500', async () => {
      const name = daemonName();
      await register(name).expect(200);
      const bodies: [unknown, ReturnType<typeof detail>[]][] = [
        [
          { status: 'BUSY' },
          [detail('status', 'status must be one of the following values: ONLINE, DRAINING', 'isIn')],
        ],
        [{ inflight: -1 }, [detail('inflight', 'inflight must not be less than 0', 'min')]],
        [{ load: 3 }, [detail('load', 'property load should not exist', 'whitelistValidation')]],
        [[1, 2], [detail('', 'the body must be a JSON object', 'isObject')]],
      ];
      for (const [body, details] of bodies) {
        const res = await heartbeat(name).send(body as object);
        expect(res.status).toBe(422);
        expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', status: 422, details });
      }
      const malformed = await heartbeat(name).set('Content-Type', 'application/json').send('{"status":');
      expect(malformed.body).toEqual(envelope(422, 'MALFORMED_JSON', 'request body is not valid JSON'));
    });

    it('rejects an X-Miner-ID that is not a plain name', async () => {
      const res = await http
        .post('/v1/miners/drain')
        .set('X-Api-Key', TEST_KEYS.miner)
        .set('X-Miner-ID', '../rig-2')
        .expect(422);
      expect(res.body).toEqual(
        envelope(422, 'VALIDATION_FAILED', 'X-Miner-ID may hold only letters, digits, "_", "." and "-"', [
          detail('X-Miner-ID', 'letters, digits, "_", "." and "-", at most 64', 'pattern'),
        ]),
      );
    });
  });

  it('documents every route in Swagger with its tag, keys and error responses', async () => {
    const doc = (await http.get('/openapi.json').expect(200)).body;
    const op = (path: string, method: string) => doc.paths[path][method];
    for (const path of ['/v1/miners/register', '/v1/miners/heartbeat', '/v1/miners/drain']) {
      expect(op(path, 'post')).toMatchObject({ tags: ['miners'], security: [{ 'api-key': [] }, { 'miner-key': [] }] });
      expect(Object.keys(op(path, 'post').responses)).toEqual(expect.arrayContaining(['200', '401', '403', '422']));
    }
    expect(Object.keys(op('/v1/miners/heartbeat', 'post').responses)).toContain('404');
    expect(op('/v1/admin/miners', 'get')).toMatchObject({ tags: ['admin'], security: [{ 'api-key': [] }] });
    expect(doc.components.schemas.AdminMinerDto.required).toEqual([
      'miner_id',
      'status',
      'inflight',
      'concurrency',
      'region',
      'last_heartbeat',
      'jobs_completed',
      'jobs_failed',
      'average_job_duration_ms',
      'last_receipt_id',
    ]);
  });
});
