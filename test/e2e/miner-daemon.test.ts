import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { backoffMs } from '../../apps/miner/src/agent/backoff';
import { TEST_KEYS } from '../support/coordinator';
import { startFaultyProxy } from '../support/faulty-proxy';
import type { MinerProcess } from '../support/miner-process';
import { minerSuite } from '../support/miner-suite';
import { expectedReply, startOllamaStandIn } from '../support/ollama-stand-in';
import { waitFor } from '../support/wait-for';

const PROMPT = 'What is machine learning?';
const MODEL = 'llama3.2:latest';
/** A prompt long enough that, with a token delay, a run lasts long enough to interrupt. */
const LONG_PROMPT = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

/** A JSON body, as loosely typed as the wire. */
type JobView = ReturnType<typeof JSON.parse>;

/** The job's records in a miner's journal (`<state>/jobs/<job_id>[.<attempt>]/state.json`), oldest attempt first. */
function journal(stateDir: string, jobId: string): JobView[] {
  const root = join(stateDir, 'jobs');
  return (existsSync(root) ? readdirSync(root) : [])
    .filter((name) => name === jobId || name.startsWith(`${jobId}.`))
    .sort()
    .map((name): JobView => JSON.parse(readFileSync(join(root, name, 'state.json'), 'utf8')));
}

/**
 * The miner daemon as a real process against a real coordinator and the Ollama stand-in: the
 * seed's flow, failures of Ollama, kill -9 and SIGTERM mid-job, and push mode.
 */
describe('miner daemon (process) with coordinator and Ollama stand-in', () => {
  const suite = minerSuite({
    LOG_LEVEL: 'warn',
    MINER_HEARTBEAT_INTERVAL_SECONDS: '1',
    MINER_LEASE_TTL_SECONDS: '3',
    JOB_SWEEP_INTERVAL_MS: '200',
    RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
  });
  const { pool } = suite;

  const job = async (jobId: string): Promise<JobView> => (await suite.api.job(jobId).expect(200)).body;
  const jobIn = (jobId: string, states: string[], timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const view = await job(jobId);
        return states.includes(view.state as string) ? view : null;
      },
      { timeoutMs, intervalMs: 50, message: `job ${jobId} in ${states.join('|')}` },
    );
  /** The requeues the coordinator recorded for a job: who failed which attempt, and why. */
  const requeues = async (jobId: string) =>
    (
      await pool.query<{ data: JobView }>(
        `SELECT data FROM es_events WHERE stream_id = $1 AND event_type = 'JobRequeued' ORDER BY stream_position`,
        [`job-${jobId}`],
      )
    ).rows.map(({ data }) => ({ miner_id: data.miner_id, attempt: data.attempt, error: data.error }));
  const { startMiner } = suite;
  const generating = (miner: MinerProcess) =>
    suite.ollama
      .waitForRequest((r) => r.path === '/api/generate' && r.outcome === 'open', 15_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nminer output:\n${miner.output()}`);
      });

  it("runs the seed's flow: inference job → stand-in → COMPLETED with a verifiable receipt and metrics", async () => {
    const miner = await startMiner();
    const status = await miner.status();
    expect(status.capabilities).toEqual({
      gpus: [
        {
          name: 'NVIDIA GeForce RTX 4090',
          vendor: 'nvidia',
          memory_mb: 24564,
          uuid: 'GPU-00000000-1111-2222-3333-444444444444',
        },
      ],
      cuda: '12.4',
      models: ['llama3.2:latest', 'qwen2.5:0.5b'],
      services: expect.arrayContaining(['llm_inference']),
      unit_type: 'gpu_seconds',
      cpu: { cores: expect.any(Number), model: expect.any(String) },
      memory_mb: expect.any(Number),
      disk_free_mb: expect.any(Number),
    });

    const jobId = await suite.api.submitOk({ type: 'inference', prompt: PROMPT, model: MODEL });
    const done = await jobIn(jobId, ['COMPLETED', 'FAILED']);
    const expected = expectedReply('generate', { prompt: PROMPT, model: MODEL });
    expect(done.state).toBe('COMPLETED');
    expect(done.assigned_miner_id).toBe('rig-1/gpu-a');
    expect(done.result).toMatchObject({ output: expected.text, model: MODEL, done_reason: 'stop' });

    const result = (await suite.api.http.get(`/v1/jobs/${jobId}/result`).set('X-Api-Key', TEST_KEYS.client).expect(200))
      .body;
    const receipt = result.receipt;
    expect(receipt).toMatchObject({ job_id: jobId, provider: 'rig-1/gpu-a', status: 'completed' });
    const verified = await suite.api.http.post('/v1/receipts/verify').send(receipt).expect(200);
    expect(verified.body).toMatchObject({ valid: true, reasons: [] });

    // the metrics the miner reported carry the stand-in's token counts and compute time
    const { rows } = await pool.query<{ data: JobView }>(
      `SELECT data FROM es_events WHERE stream_id = $1 AND event_type = 'JobCompleted'`,
      [`job-${jobId}`],
    );
    expect(rows[0].data.metrics).toMatchObject({
      tokens_generated: expected.eval_count,
      prompt_tokens: expected.prompt_eval_count,
      compute_time: expected.total_duration / 1e9,
      gpu_seconds: expected.total_duration / 1e9,
    });

    const history = await waitFor(async () => {
      const s = await miner.status();
      return s.history.length === 1 ? s : null;
    });
    expect(history.totals).toEqual({ completed: 1, failed: 0, canceled: 0, earnings: receipt.price });
    expect(history.history[0]).toMatchObject({ job_id: jobId, outcome: 'completed', receipt_id: receipt.receipt_id });

    const metrics = await request(miner.url).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toContain('aitbc_miner_jobs_completed_total 1\n');
    expect(metrics.text).toContain('aitbc_miner_jobs_running 0\n');
    expect(metrics.text).toContain(
      'aitbc_miner_gpu_utilization_ratio{gpu="0",name="NVIDIA GeForce RTX 4090",uuid="GPU-00000000-1111-2222-3333-444444444444"} 0.12\n',
    );
    expect(metrics.text).toMatch(/aitbc_miner_gpu_memory_free_bytes\{gpu="0".*\} 24129830912\n/);
    const dashboard = await request(miner.url).get('/').expect(200);
    expect(dashboard.headers['content-type']).toContain('text/html');
    expect(dashboard.text).toContain('<title>AITBC miner</title>');
  }, 60_000);

  it('reports E_MODEL_NOT_FOUND for a model Ollama no longer has, never substitutes one, and re-registers without it', async () => {
    suite.ollama.models.push({ ...suite.ollama.models[0], name: 'ghost:7b' });
    const miner = await startMiner();
    expect((await miner.status()).capabilities?.models).toContain('ghost:7b');
    suite.ollama.models.pop();

    const jobId = await suite.api.submitOk({ type: 'inference', prompt: PROMPT, model: 'ghost:7b' });
    const failed = await waitFor(
      async () => {
        const view = await job(jobId);
        return view.attempts >= 1 && view.error?.code === 'E_MODEL_NOT_FOUND' ? view : null;
      },
      { timeoutMs: 20_000, message: 'E_MODEL_NOT_FOUND reported' },
    );
    expect(failed.state).toMatch(/QUEUED|FAILED/);
    const asked = suite.ollama.requests.filter((r) => r.path === '/api/generate').map((r) => (r.body as JobView).model);
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set(['ghost:7b']));
    await waitFor(async () => !(await miner.status()).capabilities?.models.includes('ghost:7b'), {
      timeoutMs: 15_000,
      message: 'the miner re-registered without the vanished model',
    });
    const { rows } = await pool.query<{ models: string[] }>('SELECT models FROM miners WHERE miner_id = $1', [
      'rig-1/gpu-a',
    ]);
    expect(rows[0].models).not.toContain('ghost:7b');
  }, 60_000);

  it('Ollama down → a retryable failure, the job is requeued, and runs once Ollama is back', async () => {
    const port = suite.ollama.port;
    // only the failure may trigger a probe here, so the job is surely taken while Ollama is away
    const miner = await startMiner({ env: { MINER_PROBE_INTERVAL_SECONDS: '300' } });
    await suite.ollama.close();

    const jobId = await suite.api.submitOk({ type: 'inference', prompt: PROMPT, model: MODEL });
    const requeued = await waitFor(
      async () => {
        const view = await job(jobId);
        return view.state === 'QUEUED' && view.attempts === 1 ? view : null;
      },
      { timeoutMs: 20_000, message: 'job requeued after the Ollama failure' },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(await job(jobId))}\n${miner.output()}`);
    });
    expect(requeued.error).toMatchObject({ code: 'E_RUNTIME', message: expect.stringMatching(/unreachable/i) });
    const failedRun = await waitFor(async () => (await miner.status()).history[0]);
    expect(failedRun).toMatchObject({ job_id: jobId, outcome: 'failed', error_code: 'E_RUNTIME' });

    suite.ollama = await startOllamaStandIn({ port });
    const done = await jobIn(jobId, ['COMPLETED'], 30_000);
    expect(done.attempts).toBe(2);
  }, 60_000);

  it('kill -9 mid-job and no restart within the lease: the coordinator requeues (E_LEASE_LOST); the late report is dropped', async () => {
    suite.ollama.setTokenDelayMs(100);
    const first = await startMiner();
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
    await generating(first);
    expect(journal(first.stateDir, jobId)).toEqual([
      expect.objectContaining({ job_id: jobId, attempt: 1, phase: 'running' }),
    ]);
    first.kill();
    await first.exited;

    const requeued = await waitFor(
      async () => {
        const view = await job(jobId);
        return view.state === 'QUEUED' ? view : null;
      },
      { timeoutMs: 20_000, message: 'lease expiry requeues the job' },
    );
    expect(requeued.error).toMatchObject({ code: 'E_LEASE_LOST' });

    suite.ollama.setTokenDelayMs(0);
    const second = await startMiner({ stateDir: first.stateDir, waitFor: 'none' });
    await waitFor(
      () => /job [0-9a-f]{32} was left running by a previous run: reporting E_RUNTIME/.test(second.output()),
      {
        timeoutMs: 20_000,
        message: 'the restarted miner reports the interrupted job',
      },
    );
    expect(second.output()).toContain(`job ${jobId} was left running by a previous run`);
    const done = await jobIn(jobId, ['COMPLETED'], 30_000);
    expect(done.attempts).toBe(2);
    // the job was no longer the miner's to fail: the coordinator refused the late report, and it was not retried
    await waitFor(() => second.output().includes(`job ${jobId}: report no longer accepted`), {
      message: 'the late report dropped',
    });
    await waitFor(() => journal(first.stateDir, jobId).length === 0, { message: 'journal entry removed' });
    expect(await requeues(jobId)).toEqual([
      {
        miner_id: 'rig-1/gpu-a',
        attempt: 1,
        error: { code: 'E_LEASE_LOST', message: 'the miner stopped heartbeating' },
      },
    ]);
  }, 90_000);

  it('runs at most `concurrency` jobs at once, and that many while work waits, even when the coordinator would hand it more', async () => {
    // the coordinator is told this miner takes 8 jobs at once: only the daemon's own limit can hold it to 2
    const proxy = await startFaultyProxy(suite.coordinator.url, (req) =>
      req.url === '/v1/miners/register' ? { rewrite: (body) => ({ ...(body as object), concurrency: 8 }) } : 'forward',
    );
    try {
      suite.ollama.setTokenDelayMs(100);
      const miner = await startMiner({ coordinatorUrl: proxy.url, env: { MINER_CONCURRENCY: '2' } });
      const { rows } = await pool.query<{ concurrency: number }>('SELECT concurrency FROM miners WHERE miner_id = $1', [
        'rig-1/gpu-a',
      ]);
      expect(rows).toEqual([{ concurrency: 8 }]);

      // 22 tokens at 100 ms: each run takes about 2 s, long enough to overlap
      const prompt = Array.from({ length: 20 }, (_, i) => `item${i}`).join(' ');
      const jobIds: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        jobIds.push(await suite.api.submitOk({ type: 'inference', prompt, model: MODEL }));
      }
      // two at once, seen both by Ollama and by the miner itself
      await waitFor(
        async () =>
          suite.ollama.inflight() === 2 &&
          (await request(miner.url).get('/metrics')).text.includes('aitbc_miner_jobs_running 2\n'),
        { timeoutMs: 20_000, message: 'two jobs running at once' },
      );
      const expected = expectedReply('generate', { prompt, model: MODEL }).text;
      for (const jobId of jobIds) {
        const done = await jobIn(jobId, ['COMPLETED', 'FAILED'], 30_000);
        expect(done).toMatchObject({ state: 'COMPLETED', attempts: 1, assigned_miner_id: 'rig-1/gpu-a' });
        expect(done.result.output).toBe(expected);
      }
      // never a third: the stand-in counted every answer it was writing at once
      expect(suite.ollama.peakInflight()).toBe(2);
      expect(suite.ollama.requests.filter((r) => r.path === '/api/generate')).toHaveLength(5);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('stops the runner of a job the client cancels (cancel_job_ids in the heartbeat reply) and reports nothing', async () => {
    suite.ollama.setTokenDelayMs(200);
    const miner = await startMiner();
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
    await generating(miner);
    await suite.api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    await waitFor(() => suite.ollama.requests.find((r) => r.path === '/api/generate')?.outcome === 'client-closed', {
      timeoutMs: 10_000,
      message: 'the Ollama request aborted',
    });
    const status = await waitFor(async () => {
      const s = await miner.status();
      return s.history.length === 1 ? s : null;
    });
    expect(status.history[0]).toMatchObject({ job_id: jobId, outcome: 'canceled' });
    expect(status.running).toEqual([]);
    expect((await job(jobId)).state).toBe('CANCELED');
    expect(journal(miner.stateDir, jobId)).toEqual([]);
  }, 60_000);

  it('SIGTERM mid-job: takes no new job, lets the running one finish, and exits 0', async () => {
    suite.ollama.setTokenDelayMs(40);
    const miner = await startMiner();
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
    await generating(miner);
    miner.child.kill('SIGTERM');
    await waitFor(async () => (await pool.query("SELECT 1 FROM miners WHERE status = 'DRAINING'")).rowCount === 1, {
      message: 'the coordinator knows the miner drains',
    });
    const second = await suite.api.submitOk({ type: 'inference', prompt: PROMPT, model: MODEL });
    expect(await miner.exited).toBe(0);
    expect((await job(jobId)).state).toBe('COMPLETED');
    expect((await job(second)).state).toBe('QUEUED');
    expect(miner.output()).toMatch(/draining: 1 job\(s\) running/);
  }, 60_000);

  it('SIGTERM past the drain timeout: stops the job, reports it retryable (requeued), and exits 0', async () => {
    suite.ollama.setTokenDelayMs(500);
    const miner = await startMiner({ env: { MINER_DRAIN_TIMEOUT_SECONDS: '1' } });
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
    await generating(miner);
    miner.child.kill('SIGTERM');
    expect(await miner.exited).toBe(0);
    const view = await job(jobId);
    expect(view).toMatchObject({ state: 'QUEUED', attempts: 1 });
    expect(view.error).toMatchObject({ code: 'E_RUNTIME', message: 'the miner shut down before the job finished' });
    expect(suite.ollama.requests.find((r) => r.path === '/api/generate')?.outcome).toBe('client-closed');
  }, 60_000);

  it('runs a real ffmpeg transcode through the CLI runner, and refuses a command outside the allow-list with E_DENY', async () => {
    const clip = join(mkdtempSync(join(tmpdir(), 'aitbc-clip-')), 'in.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=1:size=160x120:rate=10',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=1',
      '-c:v',
      'libx264',
      '-c:a',
      'aac',
      '-shortest',
      clip,
    ]);
    const miner = await startMiner();
    expect((await miner.status()).capabilities?.services).toEqual(['ffmpeg', 'llm_inference']);

    const jobId = await suite.api.submitOk({
      payload: {
        type: 'cli',
        tool: 'ffmpeg',
        args: ['-i', 'in.mp4', '-c:v', 'libvpx-vp9', '-b:v', '200k', '-c:a', 'libopus', '-s', '80x60', 'out.webm'],
        inputs: { 'in.mp4': readFileSync(clip).toString('base64') },
        outputs: ['out.webm'],
      },
      constraints: { services: ['ffmpeg'] },
    });
    const done = await jobIn(jobId, ['COMPLETED', 'FAILED'], 60_000);
    expect(done.error).toBeNull();
    expect(done.result).toMatchObject({ exit_code: 0, outputs: [{ name: 'out.webm' }] });
    const output = Buffer.from(done.result.outputs[0].content_base64 as string, 'base64');
    expect(createHash('sha256').update(output).digest('hex')).toBe(done.result.outputs[0].sha256);
    const probed = join(dirname(clip), 'out.webm');
    writeFileSync(probed, output);
    const streams = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name,width', '-of', 'csv=p=0', probed],
      {
        encoding: 'utf8',
      },
    );
    expect(streams.trim().split('\n').sort()).toEqual(['opus', 'vp9,80']);

    const denied = await suite.api.submitOk({
      payload: { type: 'cli', tool: 'sh', args: ['-c', 'id'] },
      constraints: { services: ['ffmpeg'] },
    });
    const refused = await jobIn(denied, ['FAILED']);
    expect(refused.error).toEqual({ code: 'E_DENY', message: expect.stringContaining('sh') });
    expect(refused.attempts).toBe(1);
  }, 90_000);

  it('completes typed jobs from the service endpoints: /llm/inference on Ollama and /ffmpeg/transcode on ffmpeg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aitbc-media-'));
    const clip = join(dir, 'talk.mov');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:v', 'libx264', '-c:a', 'aac', '-shortest', clip],
    ]);
    const media = createServer((req, res) => {
      if (req.url === '/talk.mov') {
        res.writeHead(200, { 'content-type': 'video/quicktime' }).end(readFileSync(clip));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    try {
      await startMiner({ env: { MINER_ALLOW_PRIVATE_INPUT_URLS: 'true' } });
      const typed = (path: string, body: object) =>
        suite.api.http.post(`/v1/services/${path}`).set('X-Api-Key', TEST_KEYS.client).send(body).expect(201);

      const llm = await typed('llm/inference', { model: MODEL, prompt: PROMPT });
      expect(llm.body).toEqual({
        job_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        service_type: 'llm_inference',
        state: 'QUEUED',
        estimated_completion: expect.any(String),
      });
      const transcode = await typed('ffmpeg/transcode', {
        input_url: `${mediaUrl}/talk.mov`,
        output_format: 'webm',
        resolution: '80x60',
      });

      const answered = await jobIn(llm.body.job_id as string, ['COMPLETED', 'FAILED']);
      expect(answered.error).toBeNull();
      expect(answered.result).toMatchObject({
        output: expectedReply('generate', { prompt: PROMPT, options: { temperature: 0.7, num_predict: 512 } }).text,
        model: MODEL,
      });

      const converted = await jobIn(transcode.body.job_id as string, ['COMPLETED', 'FAILED'], 60_000);
      expect(converted.error).toBeNull();
      expect(converted.result).toMatchObject({ exit_code: 0, outputs: [{ name: expect.stringMatching(/\.webm$/) }] });
      const out = join(dir, 'out.webm');
      writeFileSync(out, Buffer.from(converted.result.outputs[0].content_base64 as string, 'base64'));
      const streams = execFileSync(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'stream=codec_name,width', '-of', 'csv=p=0', out],
        { encoding: 'utf8' },
      );
      expect(streams.trim().split('\n').sort()).toEqual(['opus', 'vp9,80']);
    } finally {
      await new Promise((resolve) => media.close(resolve));
    }
  }, 90_000);

  it('push mode: POST /v1/jobs/assign claims the job from the coordinator and runs it', async () => {
    const miner = await startMiner({ env: { MINER_MODE: 'push', MINER_ASSIGN_API_KEYS: 'push-key-0001' } });
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: PROMPT, model: MODEL });
    const assign = (key: string, body: object) =>
      request(miner.url).post('/v1/jobs/assign').set('X-Api-Key', key).send(body);

    const refused = await assign('wrong-key', { job_id: jobId }).expect(401);
    expect(refused.body).toEqual({
      detail: 'missing or unknown API key',
      error: { code: 'UNAUTHORIZED', status: 401, details: [] },
      request_id: expect.any(String),
    });
    await assign('push-key-0001', { job_id: 'nope' }).expect(422);
    expect((await job(jobId)).state).toBe('QUEUED');

    const accepted = await assign('push-key-0001', {
      job_id: jobId,
      job_data: { type: 'inference', prompt: 'ignored: the coordinator holds the payload', model: 'other' },
    }).expect(202);
    expect(accepted.body).toEqual({
      status: 'accepted',
      job_id: jobId,
      attempt: 1,
      lease_expires_at: expect.any(String),
    });
    const done = await jobIn(jobId, ['COMPLETED']);
    expect(done.result.output).toBe(expectedReply('generate', { prompt: PROMPT, model: MODEL }).text);
    const again = await assign('push-key-0001', { job_id: jobId }).expect(409);
    expect(again.body.error.code).toBe('CONFLICT');
  }, 60_000);
});

/** The backoff of the miner's loops while the coordinator is unreachable (apps/miner/src/agent, jobs). */
const BACKOFF_BASE_MS = 500;
/** The smallest ceiling any loop uses (the agent's while a job runs, the report sender's): the most retries. */
const BACKOFF_SMALLEST_CAP_MS = 5_000;

/**
 * The most calls one backing-off loop can make within `windowMs` of its first: every delay is the
 * shortest the jitter allows. A loop that spins, or retries at a fixed short interval, makes more.
 */
function mostAttemptsWithin(windowMs: number): number {
  let attempts = 1;
  for (let failures = 1, elapsed = 0; ; failures += 1) {
    elapsed += backoffMs(failures, BACKOFF_BASE_MS, BACKOFF_SMALLEST_CAP_MS, () => 0);
    if (elapsed > windowMs) {
      return attempts;
    }
    attempts += 1;
  }
}

/**
 * Against a coordinator whose leases outlast a restart of the miner and a 30 s outage, so whatever
 * ends the interrupted attempt is the miner's own report, never the lease sweep.
 */
describe('miner daemon (process) with a long lease: restart within the lease, coordinator outage', () => {
  const LEASE_TTL_SECONDS = 90;
  const suite = minerSuite({
    LOG_LEVEL: 'warn',
    MINER_HEARTBEAT_INTERVAL_SECONDS: '1',
    MINER_LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS),
    JOB_SWEEP_INTERVAL_MS: '200',
    RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
  });
  const { pool } = suite;

  const jobIn = (jobId: string, states: string[], timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const view: JobView = (await suite.api.job(jobId).expect(200)).body;
        return states.includes(view.state as string) ? view : null;
      },
      { timeoutMs, intervalMs: 50, message: `job ${jobId} in ${states.join('|')}` },
    );
  const { startMiner } = suite;
  const alive = (miner: MinerProcess) => miner.child.exitCode === null && miner.child.signalCode === null;

  it('kill -9 mid-job, restarted within the lease: the new run reports the interrupted attempt (E_RUNTIME), it is requeued at once and runs again', async () => {
    suite.ollama.setTokenDelayMs(100);
    const first = await startMiner({ minerId: 'gpu-k' });
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
    await suite.ollama.waitForRequest((r) => r.path === '/api/generate' && r.outcome === 'open', 15_000);
    first.kill();
    await first.exited;

    suite.ollama.setTokenDelayMs(0);
    const second = await startMiner({ minerId: 'gpu-k', stateDir: first.stateDir, waitFor: 'none' });
    const done = await jobIn(jobId, ['COMPLETED', 'FAILED']).catch((error: Error) => {
      throw new Error(`${error.message}\n${second.output()}`);
    });
    expect(done).toMatchObject({ state: 'COMPLETED', attempts: 2, assigned_miner_id: 'rig-1/gpu-k' });
    expect(done.result.output).toBe(expectedReply('generate', { prompt: LONG_PROMPT, model: MODEL }).text);

    const { rows } = await pool.query<{ event_type: string; data: JobView }>(
      `SELECT event_type, data FROM es_events
       WHERE stream_id = $1 AND event_type IN ('JobAssigned', 'JobRequeued', 'JobCompleted', 'JobFailed')
       ORDER BY stream_position`,
      [`job-${jobId}`],
    );
    expect(
      rows.map(({ event_type, data }) => ({ event_type, miner_id: data.miner_id, attempt: data.attempt })),
    ).toEqual([
      { event_type: 'JobAssigned', miner_id: 'rig-1/gpu-k', attempt: 1 },
      { event_type: 'JobRequeued', miner_id: 'rig-1/gpu-k', attempt: 1 },
      { event_type: 'JobAssigned', miner_id: 'rig-1/gpu-k', attempt: 2 },
      { event_type: 'JobCompleted', miner_id: 'rig-1/gpu-k', attempt: 2 },
    ]);
    // E_RUNTIME from the restarted miner, not E_LEASE_LOST from the sweep: the lease had not run out
    expect(rows[1].data.error).toEqual({ code: 'E_RUNTIME', message: 'the miner restarted while the job was running' });
    expect(second.output()).toContain(`job ${jobId} was left running by a previous run: reporting E_RUNTIME`);
    expect(second.output()).toContain(`job ${jobId} failed with E_RUNTIME (requeued by the coordinator)`);
    await waitFor(() => journal(first.stateDir, jobId).length === 0, { message: 'journal entry removed' });
  }, 90_000);

  it('backs off while the coordinator is down for 30 s, never exits, and delivers its running job’s result after', async () => {
    let down = false;
    const proxy = await startFaultyProxy(suite.coordinator.url, () => (down ? 'refuse' : 'forward'));
    suite.ollama.setTokenDelayMs(100);
    // a 10 s heartbeat setting lets the backoff grow to the agent's own ceilings (5 s busy, 10 s idle);
    // the coordinator still asks for a beat every second while it is reachable
    const miner = await startMiner({
      coordinatorUrl: proxy.url,
      minerId: 'gpu-z',
      env: { MINER_HEARTBEAT_INTERVAL_SECONDS: '10', MINER_PROBE_INTERVAL_SECONDS: '300' },
    });
    try {
      const jobId = await suite.api.submitOk({ type: 'inference', prompt: LONG_PROMPT, model: MODEL });
      await suite.ollama.waitForRequest((r) => r.path === '/api/generate' && r.outcome === 'open', 15_000);
      down = true;
      proxy.cutAll();
      const downAt = Date.now();
      const refused = () => proxy.requests.filter((r) => r.action === 'refuse');

      // the run finishes while the coordinator is away; the report waits in the journal
      await waitFor(
        async () => {
          const health = (await request(miner.url).get('/healthz')).body;
          return health.coordinator.state === 'unreachable' && (await miner.status()).pending_reports === 1;
        },
        { timeoutMs: 30_000, message: 'the miner holds an undelivered result' },
      );
      expect(journal(miner.stateDir, jobId)).toEqual([
        expect.objectContaining({ attempt: 1, phase: 'finished', report: expect.objectContaining({ kind: 'result' }) }),
      ]);
      // The outage is the stimulus, so it lasts 30 s: until the miner, still trying, is refused 30 s in.
      await waitFor(() => refused().some((r) => r.at - downAt >= 30_000), {
        timeoutMs: 60_000,
        intervalMs: 100,
        message: 'a call refused 30 s into the outage',
      });
      const duringOutage = refused();
      down = false;
      expect(alive(miner)).toBe(true);
      expect((await suite.api.job(jobId).expect(200)).body.state).toBe('RUNNING');

      // backed off rather than spun: per loop, no more calls than the shortest backoff delays allow
      const windowMs = Math.max(...duringOutage.map((r) => r.at)) - downAt;
      const bound = mostAttemptsWithin(windowMs);
      const calls: Record<string, number> = {};
      for (const r of duringOutage) {
        calls[r.path] = (calls[r.path] ?? 0) + 1;
      }
      expect(Object.keys(calls).sort()).toEqual([
        `/v1/miners/${jobId}/result`,
        '/v1/miners/heartbeat',
        '/v1/miners/poll',
      ]);
      expect({ windowMs, calls: Object.entries(calls).filter(([, count]) => count > bound) }).toEqual({
        windowMs,
        calls: [],
      });

      // healed: the miner reconnects and the result arrives, exactly once
      const done = await jobIn(jobId, ['COMPLETED', 'FAILED']);
      expect(done).toMatchObject({ state: 'COMPLETED', attempts: 1, assigned_miner_id: 'rig-1/gpu-z' });
      expect(done.result.output).toBe(expectedReply('generate', { prompt: LONG_PROMPT, model: MODEL }).text);
      const delivered = proxy.requests.filter((r) => r.path === `/v1/miners/${jobId}/result` && r.action === 'forward');
      expect(delivered.map((r) => r.upstreamStatus)).toEqual([200]);
      await waitFor(async () => (await request(miner.url).get('/healthz')).body.coordinator.state === 'reachable', {
        timeoutMs: 20_000,
        message: 'the miner reconnected',
      });
      const status = await waitFor(async () => {
        const s = await miner.status();
        return s.history.length === 1 && s.pending_reports === 0 ? s : null;
      });
      expect(status.history[0]).toMatchObject({ job_id: jobId, outcome: 'completed' });
      expect(journal(miner.stateDir, jobId)).toEqual([]);
      expect(alive(miner)).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 150_000);
});
