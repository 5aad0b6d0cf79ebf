import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Api, capabilities } from '../support/api';
import { runCli, startCli } from '../support/cli';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { clearDispatch, createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/** The built `aitbc` behind a proxy that loses answers and refuses streams, in front of a real coordinator. */
describe('aitbc over a faulty network', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;
  let proxy: FaultyProxy | null = null;

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv());
    api = new Api(coordinator.url);
    pool = createTestPool(2);
  }, 60_000);
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
  });
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });

  const jobsWithPrompt = async (prompt: string) =>
    (await pool.query<{ job_id: string }>("SELECT job_id FROM job_views WHERE payload->>'prompt' = $1", [prompt])).rows;

  it('retries a submit whose answer was lost, with the same Idempotency-Key: exactly one job', async () => {
    let submits = 0;
    proxy = await startFaultyProxy(coordinator.url, (request) =>
      request.method === 'POST' && request.url === '/v1/jobs' && submits++ === 0 ? 'lose-answer' : 'forward',
    );
    const prompt = `lost answer ${randomBytes(6).toString('hex')}`;
    const submitted = await runCli(['submit', 'inference', '--prompt', prompt, '--json'], {
      AITBC_URL: proxy.url,
      AITBC_API_KEY: TEST_KEYS.client,
    });
    expect({ status: submitted.status, stderr: submitted.stderr }).toEqual({ status: 0, stderr: '' });
    const job = JSON.parse(submitted.stdout);

    const posts = proxy.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(2);
    // the first reached the coordinator and created the job; its answer never reached the CLI
    expect(posts.map((request) => request.upstreamStatus)).toEqual([201, 200]);
    expect(posts[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1].headers['idempotency-key']).toBe(posts[0].headers['idempotency-key']);
    expect(await jobsWithPrompt(prompt)).toEqual([{ job_id: job.job_id }]);
    expect(job).toMatchObject({ job_id: job.job_id, state: 'QUEUED', payload: { type: 'inference', prompt } });
  }, 30_000);

  it('a caller-chosen Idempotency-Key makes a whole re-run of the command return the same job', async () => {
    const tag = randomBytes(6).toString('hex');
    const prompt = `rerun ${tag}`;
    const args = ['submit', 'inference', '--prompt', prompt, '--idempotency-key', `rerun-${tag}`, '--json'];
    const env = { AITBC_URL: coordinator.url, AITBC_API_KEY: TEST_KEYS.client };
    const first = JSON.parse((await runCli(args, env)).stdout);
    const second = JSON.parse((await runCli(args, env)).stdout);
    expect(second.job_id).toBe(first.job_id);
    expect(await jobsWithPrompt(prompt)).toHaveLength(1);
  }, 30_000);

  it('retries a read refused with 503, and falls back to polling when the event stream is refused', async () => {
    await clearDispatch(pool);
    const model = `cli-net-${randomBytes(4).toString('hex')}:latest`;
    const miner = `net-${randomBytes(3).toString('hex')}`;
    await api.register(miner, { capabilities: capabilities({ models: [model] }) });
    const jobId = await api.submitOk({ payload: { type: 'inference', prompt: 'poll me', model } });
    let reads = 0;
    proxy = await startFaultyProxy(coordinator.url, (request) => {
      if (request.url?.endsWith('/events')) {
        return { status: 502, body: { detail: 'streams are not proxied here' } };
      }
      return request.url === `/v1/jobs/${jobId}` && reads++ === 0
        ? { status: 503, body: { detail: 'try again' } }
        : 'forward';
    });
    const waiting = startCli(['wait', jobId], { AITBC_URL: proxy.url, AITBC_API_KEY: TEST_KEYS.client });
    await waitFor(() => waiting.stderr().includes('] QUEUED\n'), { timeoutMs: 20_000, message: 'the first poll' });
    expect((await api.poll(miner, 5)).body.job_id).toBe(jobId);
    await api.result(miner, jobId, { response: 'polled' }).expect(200);
    const waited = await waiting.done;
    expect(waited.status).toBe(0);
    expect(waited.stdout).toMatch(new RegExp(`^Job ID: ${jobId}\nStatus: completed\nResult: polled\n`));
    expect(waited.stderr).toMatch(
      /^\[\d+\.\d s\] no live updates \(streams are not proxied here \(502\)\); polling\n\[\d+\.\d s\] QUEUED\n/,
    );
    const statuses = proxy.requests.filter((request) => request.path === `/v1/jobs/${jobId}`);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('aitbc completion bash', () => {
  /** What bash completes for the words typed so far (the last one is being completed). */
  function complete(script: string, ...typed: string[]): string[] {
    const words = ['aitbc', ...typed].map((word) => `'${word}'`).join(' ');
    const probe = `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _aitbc; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  }

  it('completes commands, kinds, options and option values', async () => {
    const { status, stdout: script } = await runCli(['completion', 'bash'], {});
    expect(status).toBe(0);
    expect(complete(script, 'su')).toEqual(['submit']);
    expect(complete(script, '--json', 'submit', 'w')).toEqual(['whisper']);
    expect(complete(script, 'submit', 'inference', '--pro')).toEqual(['--prompt', '--prompt-file', '--profile']);
    expect(complete(script, '--url', 'http://x', 'list', '--state', 'c')).toEqual(['completed', 'canceled']);
    expect(complete(script, 'admin', '')).toEqual(['stats', 'jobs', 'miners', 'deposit']);
    expect(complete(script, 'keys', '')).toEqual(['coordinator', 'attestation', 'miner', 'api']);
    expect(complete(script, 'receipt', 'abc', '--ver')).toEqual(['--verify', '--version']);
  });
});
