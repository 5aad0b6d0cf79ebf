import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { keyId, keyPairFromSeedHex, publicKeyToBase64Url, ready } from '@aitbc/crypto';
import { Api, capabilities } from '../support/api';
import { emptyHome, runCli, startCli, type RunningCli } from '../support/cli';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { freePort } from '../support/processes';
import { clearDispatch, createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const SIGNING_SEED = 'c1'.repeat(32);
const ANSWER = 'Machine learning is a subset of artificial intelligence.';
const HEX32 = '[0-9a-f]{32}';

/**
 * The built `aitbc` against a real coordinator (Postgres, Redis): the seed's flow submit → wait →
 * result → receipt, in human and --json form, every exit code and the messages users see. The test
 * plays the miner through the HTTP API.
 */
describe('aitbc against a real coordinator', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;
  let env: NodeJS.ProcessEnv;
  let model: string;
  let miner: string;
  let signingKeyId: string;
  let signingPublicKey: string;

  beforeAll(async () => {
    await ready();
    const pair = keyPairFromSeedHex(SIGNING_SEED);
    signingKeyId = keyId(pair.publicKey);
    signingPublicKey = publicKeyToBase64Url(pair.publicKey);
    coordinator = await bootCoordinator(testEnv({ RECEIPT_SIGNING_KEY_HEX: SIGNING_SEED }));
    api = new Api(coordinator.url);
    pool = createTestPool(2);
    env = { AITBC_URL: coordinator.url, AITBC_API_KEY: TEST_KEYS.client };
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });
  beforeEach(async () => {
    // a model no other suite uses, so this suite's miner gets only this suite's jobs
    await clearDispatch(pool);
    model = `cli-e2e-${randomBytes(4).toString('hex')}:latest`;
    miner = `cli-${randomBytes(3).toString('hex')}`;
    await api.register(miner, { capabilities: capabilities({ models: [model] }) });
  });

  const aitbc = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { ...env, ...extra });

  /**
   * Plays the miner: takes the next job (waiting for it to be submitted), checks it is `expected`
   * when given, optionally waits for something, then reports the result. Returns the job id.
   */
  async function mine(expected: string | null, before?: () => Promise<unknown>): Promise<string> {
    const taken = await waitFor(
      async () => {
        const res = await api.poll(miner, 1);
        return res.status === 200 ? (res.body.job_id as string) : null;
      },
      { timeoutMs: 20_000, message: 'the job to reach the miner' },
    );
    if (expected !== null) {
      expect(taken).toBe(expected);
    }
    await before?.();
    const res = await api.result(miner, taken, { response: ANSWER });
    expect(res.status).toBe(200);
    return taken;
  }

  const stderrShows = (cli: RunningCli, text: string) =>
    waitFor(() => cli.stderr().includes(text), { timeoutMs: 20_000, message: `"${text}" on the CLI's stderr` });

  it('the seed flow for people: submit, wait with live progress, result, a verified receipt', async () => {
    const submitted = await aitbc(['submit', 'inference', '--prompt', 'What is machine learning?', '--model', model]);
    expect(submitted).toEqual({
      status: 0,
      stdout: expect.stringMatching(new RegExp(`^Job ID: ${HEX32}\nStatus: queued\n$`)),
      stderr: '',
    });
    const jobId = /^Job ID: (\w+)/.exec(submitted.stdout)![1];

    const waiting = startCli(['wait', jobId], env);
    await stderrShows(waiting, '] QUEUED\n');
    await mine(jobId, () => stderrShows(waiting, '] RUNNING · on rig-1/'));
    const waited = await waiting.done;
    expect(waited.status).toBe(0);
    expect(waited.stdout).toMatch(
      new RegExp(
        `^Job ID: ${jobId}\nStatus: completed\nResult: ${ANSWER}\nReceipt: ${HEX32}\n` +
          'Completed in: \\d+(\\.\\d)? seconds?\nCost: 0\\.\\d+ AITBC\n$',
      ),
    );
    expect(waited.stderr).toMatch(
      new RegExp(
        `^\\[\\d+\\.\\d s\\] QUEUED\n\\[\\d+\\.\\d s\\] RUNNING · on rig-1/${miner}\n\\[\\d+\\.\\d s\\] COMPLETED\n$`,
      ),
    );
    const receiptId = /\nReceipt: (\w+)/.exec(waited.stdout)![1];

    expect(await aitbc(['result', jobId])).toEqual({ status: 0, stdout: `${ANSWER}\n`, stderr: '' });

    const verified = await aitbc(['receipt', jobId, '--verify']);
    expect(verified).toEqual({ status: 0, stdout: expect.any(String), stderr: '' });
    expect(verified.stdout.split('\n')).toEqual([
      `Receipt:      ${receiptId}`,
      `Job ID:       ${jobId}`,
      'Status:       completed',
      `Provider:     rig-1/${miner}`,
      'Client:       alice',
      `Model:        ${model}`,
      expect.stringMatching(/^Units: {8}\d+(\.\d+)? gpu_seconds$/),
      'Unit price:   0.02 AITBC',
      expect.stringMatching(/^Price: {8}\d+(\.\d+)? AITBC$/),
      expect.stringMatching(/^Started: {6}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expect.stringMatching(/^Completed: {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expect.stringMatching(/^Result hash: {2}[0-9a-f]{64}$/),
      expect.stringMatching(/^Payload hash: [0-9a-f]{64}$/),
      `Signed by:    ${signingKeyId}`,
      `Verified:     yes: signature by key ${signingKeyId}, result, payload (keys: ${coordinator.url}/.well-known/aitbc-keys.json)`,
      '',
    ]);

    const status = await aitbc(['status', jobId]);
    expect(status.stdout).toContain(`\nStatus:    completed\n`);
    expect(status.stdout).toContain(`\nReceipt:   ${receiptId}\n`);
  }, 60_000);

  it('the seed flow for scripts: submit --wait --verify --json, then result, receipt and wait as JSON', async () => {
    const submitting = startCli(
      [
        'submit',
        'inference',
        '--prompt',
        'What is machine learning?',
        '--model',
        model,
        '--wait',
        '--verify',
        '--json',
      ],
      env,
    );
    const jobId = await mine(null);
    const submitted = await submitting.done;
    expect({ status: submitted.status, stderr: submitted.stderr }).toEqual({ status: 0, stderr: '' });
    const summary = JSON.parse(submitted.stdout);
    expect(summary).toEqual({
      job_id: jobId,
      state: 'COMPLETED',
      status: 'completed',
      result: { response: ANSWER },
      error: null,
      receipt_id: expect.stringMatching(new RegExp(`^${HEX32}$`)),
      receipt: expect.objectContaining({
        version: '1.0',
        job_id: jobId,
        client: 'alice',
        provider: `rig-1/${miner}`,
        signature: { alg: 'Ed25519', key_id: signingKeyId, sig: expect.any(String) },
      }),
      completed_in_seconds: expect.any(Number),
      cost: expect.stringMatching(/^\d+(\.\d+)?$/),
      currency: 'AITBC',
      verification: {
        valid: true,
        key_id: signingKeyId,
        attestations: [],
        reasons: [],
        keys: `${coordinator.url}/.well-known/aitbc-keys.json`,
        result_hash_matches: true,
        payload_hash_matches: true,
      },
    });
    expect(summary.receipt.receipt_id).toBe(summary.receipt_id);
    expect(summary.cost).toBe(summary.receipt.price);

    // waiting again for a finished job answers at once, with the same summary
    const again = await aitbc(['wait', jobId, '--json']);
    expect(again.status).toBe(0);
    const { verification: _verification, ...plain } = summary;
    expect(JSON.parse(again.stdout)).toEqual(plain);

    const result = await aitbc(['result', jobId, '--json']);
    expect(JSON.parse(result.stdout)).toEqual({
      state: 'COMPLETED',
      result: { response: ANSWER },
      receipt: summary.receipt,
      error: null,
    });

    const receipt = await aitbc(['receipt', jobId, '--verify', '--json']);
    expect(receipt.status).toBe(0);
    expect(JSON.parse(receipt.stdout)).toEqual({ receipt: summary.receipt, verification: summary.verification });

    const status = await aitbc(['status', jobId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ job_id: jobId, state: 'COMPLETED', status: 'completed' });
  }, 60_000);

  it('verifies a saved receipt offline, with no coordinator at all', async () => {
    const jobId = (await api.submit({ payload: { type: 'inference', prompt: 'offline?', model } })).body.job_id;
    await mine(jobId);
    const saved = await aitbc(['receipt', jobId, '--json']);
    const home = emptyHome();
    writeFileSync(join(home, 'receipt.json'), saved.stdout);
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const offline = await runCli(
      ['--url', nowhere, 'receipt', '--file', 'receipt.json', '--verify', '--public-key', signingPublicKey, '--json'],
      {},
      { cwd: home },
    );
    expect(offline.status).toBe(0);
    expect(JSON.parse(offline.stdout).verification).toEqual({
      valid: true,
      key_id: signingKeyId,
      attestations: [],
      reasons: [],
      keys: 'offline',
      result_hash_matches: null,
      payload_hash_matches: null,
    });
    // the same receipt, one unit cheaper than signed
    const receipt = JSON.parse(saved.stdout);
    writeFileSync(join(home, 'forged.json'), JSON.stringify({ ...receipt, price: '0' }));
    const forged = await runCli(
      ['receipt', '--file', 'forged.json', '--verify', '--public-key', signingPublicKey],
      {},
      { cwd: home },
    );
    expect(forged.status).toBe(1);
    expect(forged.stdout).toContain(
      '\nVerified:     NO: signature: does not match the receipt (it was altered or signed by another key)\n',
    );
  }, 60_000);

  describe('exit codes and messages', () => {
    it('1: the job failed, and `result` of a job that is not finished', async () => {
      const jobId = (await api.submit({ payload: { type: 'inference', prompt: 'fail me', model } })).body.job_id;
      const early = await aitbc(['result', jobId]);
      expect(early).toEqual({
        status: 1,
        stdout: '',
        stderr: `aitbc: job ${jobId} is not finished yet (aitbc wait ${jobId})\n`,
      });
      const taken = (await api.poll(miner, 5)).body.job_id;
      expect(taken).toBe(jobId);
      await api.fail(miner, jobId, 'E_BAD_INPUT', 'the prompt is empty').expect(200);
      expect(await aitbc(['wait', jobId])).toEqual({
        status: 1,
        stdout: `Job ID: ${jobId}\nStatus: failed\nError: E_BAD_INPUT: the prompt is empty\n`,
        stderr: expect.stringMatching(/\] FAILED · E_BAD_INPUT: the prompt is empty\n$/),
      });
      expect(await aitbc(['result', jobId])).toEqual({
        status: 1,
        stdout: '',
        stderr: `aitbc: job ${jobId} ended FAILED: E_BAD_INPUT: the prompt is empty\n`,
      });
    }, 30_000);

    it('1: --max-wait ran out (the job goes on)', async () => {
      const jobId = (await api.submit({ payload: { type: 'inference', prompt: 'slow', model } })).body.job_id;
      expect(await aitbc(['wait', jobId, '--max-wait', '1'])).toEqual({
        status: 1,
        stdout: '',
        stderr: expect.stringMatching(
          new RegExp(`aitbc: job ${jobId} did not finish within 1 s; it goes on \\(aitbc wait ${jobId}\\)\n$`),
        ),
      });
      expect((await api.job(jobId)).body.state).toBe('QUEUED');
    }, 30_000);

    it('2: bad arguments, and a request the coordinator refuses as invalid (its detail)', async () => {
      expect(await aitbc(['submit', 'inference'])).toEqual({
        status: 2,
        stdout: '',
        stderr: 'aitbc: --prompt is required\n',
      });
      expect(await aitbc(['submit', 'inference', '--prompt', 'x', '--ttl', '0'])).toEqual({
        status: 2,
        stdout: '',
        stderr: 'aitbc: ttl_seconds: ttl_seconds must not be less than 1 (422 VALIDATION_FAILED)\n',
      });
      expect(await aitbc(['submit', 'inference', '--prompt', 'x', '--payment', '1000000'])).toEqual({
        status: 2,
        stdout: '',
        stderr: expect.stringMatching(/^aitbc: .+ \(402 PAYMENT_REQUIRED\)\n$/),
      });
    });

    it('3: a wrong key, a key of the wrong role, no key; never echoing the key', async () => {
      const wrong = await aitbc(['list'], { AITBC_API_KEY: 'not-a-key-of-this-coordinator' });
      expect(wrong).toEqual({
        status: 3,
        stdout: '',
        stderr: 'aitbc: unknown API key (401 UNAUTHORIZED; key from AITBC_API_KEY)\n',
      });
      expect(await aitbc(['admin', 'stats'])).toEqual({
        status: 3,
        stdout: '',
        stderr: 'aitbc: this route needs an admin key (403 FORBIDDEN; key from AITBC_API_KEY)\n',
      });
      const asJson = await aitbc(['list', '--json'], { AITBC_API_KEY: 'not-a-key-of-this-coordinator' });
      expect({ status: asJson.status, stdout: asJson.stdout }).toEqual({ status: 3, stdout: '' });
      expect(JSON.parse(asJson.stderr)).toEqual({
        error: {
          message: 'unknown API key (401 UNAUTHORIZED; key from AITBC_API_KEY)',
          exit_code: 3,
          http_status: 401,
          code: 'UNAUTHORIZED',
          request_id: expect.any(String),
        },
      });
      expect(asJson.stderr).not.toContain('not-a-key');
      expect(await aitbc(['list'], { AITBC_API_KEY: '' })).toEqual({
        status: 3,
        stdout: '',
        stderr: 'aitbc: no API key: pass --api-key, set AITBC_API_KEY (or CLIENT_KEY), or add api_key to a profile\n',
      });
    });

    it('4: a job that does not exist (or is not yours)', async () => {
      const unknown = randomBytes(16).toString('hex');
      for (const command of ['status', 'wait', 'result', 'cancel']) {
        expect(await aitbc([command, unknown])).toEqual({
          status: 4,
          stdout: '',
          stderr: 'aitbc: job not found (404 JOB_NOT_FOUND)\n',
        });
      }
      expect(await aitbc(['receipt', unknown])).toEqual({
        status: 4,
        stdout: '',
        stderr: 'aitbc: receipt not available (404 RECEIPT_NOT_AVAILABLE)\n',
      });
    }, 30_000);

    it('5: an unreachable coordinator, after 3 retries', async () => {
      const nowhere = `http://127.0.0.1:${await freePort()}`;
      expect(await aitbc(['--url', nowhere, 'status', randomBytes(16).toString('hex')])).toEqual({
        status: 5,
        stdout: '',
        stderr: `aitbc: cannot reach ${nowhere}: connection refused (gave up after 4 attempts)\n`,
      });
      expect(await aitbc(['health'], { AITBC_URL: nowhere })).toEqual({
        status: 5,
        stdout: '',
        stderr: `aitbc: cannot reach ${nowhere}: connection refused (gave up after 4 attempts)\n`,
      });
    });
  });

  it('typed services: the coordinator accepts what each submit kind sends, and --wait follows it', async () => {
    const kinds: [string[], string][] = [
      [['whisper', '--audio-url', 'https://media.example/talk.mp3', '--model', 'base', '--language', 'en'], 'whisper'],
      [['whisper', '--audio-url', 'https://media.example/talk.mp3', '--task', 'translate'], 'whisper'],
      [['sd', '--prompt', 'a lighthouse', '--width', '512', '--height', '512', '--seed', '7'], 'stable_diffusion'],
      [['ffmpeg', '--input-url', 'https://media.example/in.mov', '--output-format', 'webm', '--crf', '30'], 'ffmpeg'],
      [
        ['blender', '--blend-file-url', 'https://media.example/s.blend', '--frame-end', '4', '--set', 'samples=16'],
        'blender',
      ],
    ];
    for (const [args, serviceType] of kinds) {
      const submitted = await aitbc(['submit', ...args, '--payment', '0', '--constraint', 'region=eu-west', '--json']);
      expect({ status: submitted.status, stderr: submitted.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(submitted.stdout)).toEqual({
        job_id: expect.stringMatching(new RegExp(`^${HEX32}$`)),
        service_type: serviceType,
        state: 'QUEUED',
        estimated_completion: expect.stringMatching(/Z$/),
      });
    }
    expect((await aitbc(['submit', 'sd', '--prompt', 'x', '--constraint', 'gpu=amd'])).stderr).toMatch(
      /^aitbc: constraint "gpu" does not apply to a typed service/,
    );

    await clearDispatch(pool);
    const transcriber = `whisper-${randomBytes(3).toString('hex')}`;
    await api.register(transcriber, { capabilities: capabilities({ services: ['whisper'] }) });
    const waiting = startCli(['submit', 'whisper', '--audio-url', 'https://media.example/talk.mp3', '--wait'], env);
    const taken = await waitFor(
      async () => {
        const res = await api.poll(transcriber, 1);
        return res.status === 200 ? (res.body as { job_id: string; payload: Record<string, unknown> }) : null;
      },
      { timeoutMs: 20_000, message: 'the whisper job to reach its miner' },
    );
    expect(taken.payload).toMatchObject({
      service_type: 'whisper',
      service_request: { audio_url: 'https://media.example/talk.mp3', task: 'transcribe' },
    });
    await api.result(transcriber, taken.job_id, { text: 'hello world' }).expect(200);
    const waited = await waiting.done;
    expect(waited.status).toBe(0);
    expect(waited.stdout).toMatch(new RegExp(`^Job ID: ${taken.job_id}\nStatus: completed\nResult: hello world\n`));
    expect(waited.stderr).toMatch(new RegExp(`^aitbc: submitted job ${taken.job_id}\n`));
  }, 60_000);

  it("the seed's wrapper script with the seed's CLIENT_KEY: submit, then status", async () => {
    const wrapper = join(process.cwd(), 'scripts/aitbc-cli.sh');
    const seedEnv = { AITBC_URL: coordinator.url, CLIENT_KEY: TEST_KEYS.client };
    const submitted = await runCli(
      ['submit', 'inference', '--prompt', 'What is machine learning?', '--model', model],
      seedEnv,
      { file: wrapper },
    );
    expect(submitted.status).toBe(0);
    const jobId = /^Job ID: (\w+)/.exec(submitted.stdout)![1];
    await mine(jobId);
    const status = await runCli(['status', jobId], seedEnv, { file: wrapper });
    expect(status).toEqual({
      status: 0,
      stdout: expect.stringContaining(`Job ID:    ${jobId}\nStatus:    completed\n`),
      stderr: '',
    });
    expect(status.stdout).toContain(`\nResult:    ${ANSWER}\n`);
  }, 60_000);

  it('cancel, list, balance with a payment, admin views', async () => {
    const admin = { AITBC_API_KEY: TEST_KEYS.admin };
    const deposit = await aitbc(['admin', 'deposit', 'client:alice', '2', '--json'], admin);
    expect(deposit.status).toBe(0);
    const before = JSON.parse((await aitbc(['balance', 'client:alice', '--json'])).stdout);

    const queued = JSON.parse(
      (await aitbc(['submit', 'inference', '--prompt', 'cancel me', '--model', model, '--payment', '0.5', '--json']))
        .stdout,
    );
    expect(queued).toMatchObject({ state: 'QUEUED', payment_status: 'held' });
    const held = JSON.parse((await aitbc(['balance', 'alice', '--json'])).stdout);
    expect(held).toEqual({ account_id: 'client:alice', balance: expect.any(String), held: expect.any(String) });
    expect(await aitbc(['cancel', queued.job_id])).toEqual({
      status: 0,
      stdout: `Job ${queued.job_id} canceled\n`,
      stderr: '',
    });
    // again: already canceled is what was asked
    expect((await aitbc(['cancel', queued.job_id])).status).toBe(0);
    expect(JSON.parse((await aitbc(['balance', 'client:alice', '--json'])).stdout)).toEqual(before);

    const listed = JSON.parse((await aitbc(['list', '--state', 'canceled', '--limit', '1', '--json'])).stdout);
    expect(listed).toEqual({
      items: [expect.objectContaining({ job_id: queued.job_id, state: 'CANCELED' })],
      next_cursor: listed.next_cursor === null ? null : expect.any(String),
    });
    const table = await aitbc(['list', '--limit', '1']);
    expect(table.stdout).toMatch(
      new RegExp(
        `^JOB ID +STATE +MINER +REQUESTED +COMPLETED\n${queued.job_id} +CANCELED +- +\\S+Z +\\S+Z\nmore: aitbc list --cursor \\S+\n$`,
      ),
    );

    const stats = JSON.parse((await aitbc(['admin', 'stats', '--json'], admin)).stdout);
    expect(stats).toMatchObject({ total_jobs: expect.any(Number), online_miners: expect.any(Number) });
    const miners = JSON.parse((await aitbc(['miners', '--status', 'online', '--json'], admin)).stdout);
    expect(miners.items).toContainEqual(expect.objectContaining({ miner_id: `rig-1/${miner}`, status: 'ONLINE' }));
    const jobs = await aitbc(['admin', 'jobs', '--state', 'canceled', '--limit', '1'], admin);
    expect(jobs.stdout).toMatch(
      new RegExp(`^JOB ID +STATE +CLIENT +MINER +REQUESTED\n${queued.job_id} +CANCELED +alice +- +\\S+Z\n`),
    );
  }, 60_000);
});
