import request from 'supertest';
import { TEST_KEYS } from './coordinator';

export const BOB_KEY = 'client-key-for-tests-bob-0002';

/** A minimal valid capability set; override what a test is about. */
export function capabilities(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gpus: [{ name: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', memory_mb: 24564 }],
    cuda: '12.4',
    models: ['llama3.2:latest'],
    services: ['llm_inference'],
    price: '0.02',
    unit_type: 'gpu_seconds',
    ...overrides,
  };
}

/** Talks to one coordinator as a client (alice or bob), a miner daemon (under the rig-1 key) or the admin. */
export class Api {
  readonly http: ReturnType<typeof request>;
  constructor(readonly url: string) {
    this.http = request(url);
  }

  submit(body: Record<string, unknown>, key = TEST_KEYS.client) {
    return this.http.post('/v1/jobs').set('X-Api-Key', key).send(body);
  }

  async submitOk(body: Record<string, unknown>, key = TEST_KEYS.client): Promise<string> {
    const res = await this.submit(body, key);
    if (res.status !== 201) {
      throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body.job_id as string;
  }

  job(jobId: string, key = TEST_KEYS.client) {
    return this.http.get(`/v1/jobs/${jobId}`).set('X-Api-Key', key);
  }

  async register(miner: string, body: Record<string, unknown> = {}) {
    const res = await this.http
      .post('/v1/miners/register')
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ capabilities: capabilities(), concurrency: 1, ...body });
    if (res.status !== 200) {
      throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body as { miner_id: string };
  }

  poll(miner: string, maxWaitSeconds = 0) {
    return this.http
      .post('/v1/miners/poll')
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ max_wait_seconds: maxWaitSeconds });
  }

  heartbeat(miner: string, body: Record<string, unknown> = {}) {
    return this.http.post('/v1/miners/heartbeat').set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner).send(body);
  }

  result(miner: string, jobId: string, result: Record<string, unknown> = { response: 'done' }) {
    return this.http
      .post(`/v1/miners/${jobId}/result`)
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ result, metrics: { duration_ms: 12 } });
  }

  fail(miner: string, jobId: string, errorCode: string, message = 'failed') {
    return this.http
      .post(`/v1/miners/${jobId}/fail`)
      .set('X-Api-Key', TEST_KEYS.miner)
      .set('X-Miner-ID', miner)
      .send({ error_code: errorCode, error_message: message });
  }
}
