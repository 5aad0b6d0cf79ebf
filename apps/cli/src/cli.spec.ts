import { readFileSync } from 'node:fs';
import { keyId, keyPairFromSeedHex, publicKeyToBase64Url, ready } from '@aitbc/crypto';
import { envelope, fakeIo, json, type FakeFetch, type FakeIo, type SeenRequest } from '../../../test/support/fake-io';
import {
  VECTOR_JOB_ID as JOB_ID,
  VECTOR_PAYLOAD as PAYLOAD,
  VECTOR_PUBLIC_KEY,
  VECTOR_RECEIPT as receipt,
  VECTOR_RESULT as RESULT,
  vectorKeyDocument,
} from '../../../test/support/receipt-fixtures';
import { CATALOG } from './catalog';
import { run } from './cli';
import { VERSION } from './version';

const ENV = { AITBC_URL: 'http://coordinator.test', AITBC_API_KEY: 'client-key-0001' };
const keys = vectorKeyDocument();

beforeAll(() => ready());

function view(overrides: Record<string, unknown> = {}) {
  return {
    job_id: JOB_ID,
    state: 'QUEUED',
    status: 'queued',
    assigned_miner_id: null,
    attempts: 0,
    requested_at: '2026-11-22T10:00:00.000Z',
    expires_at: '2026-11-22T10:15:00.000Z',
    started_at: null,
    completed_at: null,
    error: null,
    receipt_id: null,
    payment_id: null,
    payment_status: 'none',
    payload: PAYLOAD,
    result: null,
    ...overrides,
  };
}

const completed = () =>
  view({
    state: 'COMPLETED',
    status: 'completed',
    assigned_miner_id: 'rig-1/gpu-a',
    attempts: 1,
    started_at: '2026-11-22T10:00:02.000Z',
    completed_at: '2026-11-22T10:00:17.000Z',
    receipt_id: receipt.receipt_id,
    result: RESULT,
  });

/** A fake coordinator: `METHOD /path` → handler (query strings ignored); anything else is a 404 route. */
function coordinator(routes: Record<string, FakeFetch>): FakeFetch {
  return (request: SeenRequest) => {
    const path = new URL(request.url).pathname;
    const handler = routes[`${request.method} ${path}`];
    return handler ? handler(request) : envelope(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${path}`);
  };
}

function sse(...states: Record<string, unknown>[]): Response {
  const text = states.map((state) => `event: state\ndata: ${JSON.stringify(state)}\n\n`).join('');
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}

async function aitbc(argv: string[], io: FakeIo, env: NodeJS.ProcessEnv = ENV) {
  const code = await run(argv, env, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe('help', () => {
  const leaves = CATALOG.commands.map((command) => command.path);

  it.each(leaves.map((path) => [path.join(' '), path]))(
    '%s --help: usage, options and examples',
    async (_name, path) => {
      const { code, stdout, stderr } = await aitbc([...path, '--help'], fakeIo());
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^aitbc ${path.join(' ')} — .+\n\nUsage: aitbc ${path.join(' ')}`));
      expect(stdout).toContain('\nGlobal options:\n  --url URL');
      expect(stdout).toMatch(new RegExp(`\nExamples:\n(  .*aitbc ${path[0]}.*\n)+`));
      expect(stdout).toContain('Exit codes: 0 ok, 1 job failed, 2 usage error, 3 authentication refused, 4 not found');
      expect((await aitbc(['help', ...path], fakeIo())).stdout).toBe(stdout);
    },
  );

  it('lists every command at the top, and every kind of a group', async () => {
    const top = await aitbc(['--help'], fakeIo());
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^aitbc — the AITBC command line\n/);
    for (const word of new Set(leaves.map((path) => path[0]))) {
      expect(top.stdout).toMatch(new RegExp(`\n  ${word} `));
    }
    const submit = await aitbc(['submit', '--help'], fakeIo());
    expect(submit.stdout).toMatch(
      /^aitbc submit — .*\n\nUsage: aitbc submit <inference\|chat\|whisper\|sd\|ffmpeg\|blender\|raw>/,
    );
  });

  it('prints the top help with exit 2 when no command is given, and the version', async () => {
    const bare = await aitbc([], fakeIo());
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/^aitbc — the AITBC command line\n/);
    expect(await aitbc(['--version'], fakeIo())).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });

  it('--json: the version as JSON, a missing command as a JSON usage error; help stays text', async () => {
    expect(await aitbc(['--version', '--json'], fakeIo())).toEqual({
      code: 0,
      stdout: `{\n  "version": "${VERSION}"\n}\n`,
      stderr: '',
    });
    expect(await aitbc(['--json'], fakeIo())).toEqual({
      code: 2,
      stdout: '',
      stderr:
        '{"error":{"message":"a command is needed (see aitbc --help)","exit_code":2,"http_status":null,"code":null,"request_id":null}}\n',
    });
    expect(await aitbc(['--help', '--json'], fakeIo())).toEqual(await aitbc(['--help'], fakeIo()));
  });
});

describe('usage errors', () => {
  it.each<[string[], string]>([
    [['frobnicate'], 'aitbc: unknown command "frobnicate" (see aitbc --help)\n'],
    [['submit', 'teleport'], 'aitbc: unknown command "submit teleport" (see aitbc --help)\n'],
    [['submit'], 'aitbc: submit needs a command (see aitbc submit --help)\n'],
    [['status'], 'aitbc: a job id is required\n'],
    [['status', 'job_123456'], 'aitbc: "job_123456" is not a job id (32 hexadecimal digits)\n'],
    [
      ['list', '--state', 'done'],
      'aitbc: --state must be one of QUEUED, RUNNING, COMPLETED, FAILED, CANCELED, EXPIRED (got "done")\n',
    ],
    [['--url', 'ftp://x', 'list'], 'aitbc: the coordinator URL must be an http:// or https:// URL (got "ftp://x")\n'],
    [['miners', '--status', 'foo'], 'aitbc: --status must be one of online, draining, offline (got "foo")\n'],
    [
      ['admin', 'miners', '--status', 'busy'],
      'aitbc: --status must be one of online, draining, offline (got "busy")\n',
    ],
    [
      ['submit', 'whisper', '--audio-url', 'https://media.example/a.mp3', '--ttl', '5'],
      'aitbc: --ttl does not apply to a typed service: the coordinator sets its queue and run times ' +
        '(queue: whisper 900 s, SD 600 s, LLM 300 s, ffmpeg 1800 s, blender max(600, frames × 30) s); ' +
        'for a custom --ttl use submit raw\n',
    ],
    [['submit', '--payment', '0.5', 'teleport'], 'aitbc: unknown command "submit teleport" (see aitbc --help)\n'],
  ])('%j', async (argv, stderr) => {
    const io = fakeIo({ fetch: () => json(200, {}) });
    expect(await aitbc(argv, io)).toEqual({ code: 2, stdout: '', stderr });
    expect(io.requests).toEqual([]);
  });

  it('writes errors as one JSON line on stderr with --json', async () => {
    expect(await aitbc(['status', '--json'], fakeIo())).toEqual({
      code: 2,
      stdout: '',
      stderr:
        '{"error":{"message":"a job id is required","exit_code":2,"http_status":null,"code":null,"request_id":null}}\n',
    });
  });

  it('refuses to send a request without a key (exit 3)', async () => {
    const io = fakeIo();
    expect(await aitbc(['status', JOB_ID], io, { AITBC_URL: 'http://coordinator.test' })).toEqual({
      code: 3,
      stdout: '',
      stderr: 'aitbc: no API key: pass --api-key, set AITBC_API_KEY (or CLIENT_KEY), or add api_key to a profile\n',
    });
    expect(io.requests).toEqual([]);
  });
});

describe('job commands', () => {
  it('submit inference: one Idempotency-Key, the job id and state', async () => {
    const io = fakeIo({ fetch: coordinator({ 'POST /v1/jobs': () => json(201, view()) }) });
    const { code, stdout } = await aitbc(['submit', 'inference', '--prompt', 'What is machine learning?'], io);
    expect({ code, stdout }).toEqual({ code: 0, stdout: `Job ID: ${JOB_ID}\nStatus: queued\n` });
    expect(io.requests[0].headers['idempotency-key']).toBe('00000000-0000-4000-8000-000000000001');
    expect(io.requests[0].body).toEqual({ payload: PAYLOAD });
  });

  it('submit: options that take a value may come before the kind', async () => {
    const io = fakeIo({ fetch: coordinator({ 'POST /v1/jobs': () => json(201, view()) }) });
    const argv = [
      'submit',
      '--payment',
      '0.5',
      '--priority',
      '3',
      'inference',
      '--prompt',
      'What is machine learning?',
    ];
    expect(await aitbc(argv, io)).toEqual({ code: 0, stdout: `Job ID: ${JOB_ID}\nStatus: queued\n`, stderr: '' });
    expect(io.requests[0].body).toEqual({ payload: PAYLOAD, payment_amount: '0.5', priority: 3 });
  });

  it('miners --status: only the miners in that status, in any case', async () => {
    const miner = (miner_id: string, status: string) => ({
      miner_id,
      status,
      inflight: 0,
      concurrency: 1,
      jobs_completed: 2,
      jobs_failed: 0,
      average_job_duration_ms: 1500,
      region: 'eu-west',
      last_heartbeat: '2026-11-22T10:00:00.000Z',
    });
    const io = fakeIo({
      fetch: coordinator({
        'GET /v1/admin/miners': () =>
          json(200, { items: [miner('rig-1/a', 'ONLINE'), miner('rig-2/b', 'DRAINING'), miner('rig-3/c', 'OFFLINE')] }),
      }),
    });
    const { code, stdout } = await aitbc(['miners', '--status', 'Draining', '--json'], io);
    expect({ code, items: (JSON.parse(stdout) as { items: unknown[] }).items }).toEqual({
      code: 0,
      items: [miner('rig-2/b', 'DRAINING')],
    });
  });

  it('status: the job view, for people and as JSON', async () => {
    const io = fakeIo({ fetch: coordinator({ [`GET /v1/jobs/${JOB_ID}`]: () => json(200, completed()) }) });
    expect((await aitbc(['status', JOB_ID], io)).stdout).toBe(
      [
        `Job ID:    ${JOB_ID}`,
        'Status:    completed',
        'Miner:     rig-1/gpu-a',
        'Attempts:  1',
        'Requested: 2026-11-22T10:00:00.000Z',
        'Started:   2026-11-22T10:00:02.000Z',
        'Completed: 2026-11-22T10:00:17.000Z',
        'Result:    Machine learning is a subset of artificial intelligence.',
        `Receipt:   ${receipt.receipt_id}`,
        '',
      ].join('\n'),
    );
    const asJson = await aitbc(['status', JOB_ID, '--json'], fakeIo({ fetch: () => json(200, completed()) }));
    expect(JSON.parse(asJson.stdout)).toEqual(completed());
  });

  const finished = (events: Response | (() => Response)) =>
    coordinator({
      [`GET /v1/jobs/${JOB_ID}/events`]: () => (typeof events === 'function' ? events() : events),
      [`GET /v1/jobs/${JOB_ID}`]: () => json(200, completed()),
      [`GET /v1/jobs/${JOB_ID}/result`]: () => json(200, { state: 'COMPLETED', result: RESULT, receipt, error: null }),
      'GET /.well-known/aitbc-keys.json': () => json(200, keys),
    });

  it("wait: follows the stream, then prints the seed's final output", async () => {
    const io = fakeIo({
      fetch: finished(() =>
        sse(
          { state: 'QUEUED', attempts: 0, assigned_miner_id: null, error: null },
          { state: 'RUNNING', attempts: 1, assigned_miner_id: 'rig-1/gpu-a', error: null },
          { state: 'COMPLETED', attempts: 1, assigned_miner_id: 'rig-1/gpu-a', error: null },
        ),
      ),
    });
    const { code, stdout, stderr } = await aitbc(['wait', JOB_ID], io);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `Job ID: ${JOB_ID}`,
        'Status: completed',
        'Result: Machine learning is a subset of artificial intelligence.',
        `Receipt: ${receipt.receipt_id}`,
        'Completed in: 17 seconds',
        'Cost: 0.25 AITBC',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('[0.0 s] QUEUED\n[0.0 s] RUNNING · on rig-1/gpu-a\n[0.0 s] COMPLETED\n');
    expect(io.requests.filter((request) => request.url.endsWith(`/v1/jobs/${JOB_ID}`))).toHaveLength(1);
  });

  it('wait --verify --json: the summary with the verification', async () => {
    const io = fakeIo({ fetch: finished(() => sse({ state: 'COMPLETED', attempts: 1, error: null })) });
    const { code, stdout, stderr } = await aitbc(['wait', JOB_ID, '--verify', '--json'], io);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      job_id: JOB_ID,
      state: 'COMPLETED',
      status: 'completed',
      result: RESULT,
      error: null,
      receipt_id: receipt.receipt_id,
      receipt,
      completed_in_seconds: 17,
      cost: '0.25',
      currency: 'AITBC',
      verification: {
        valid: true,
        key_id: receipt.signature.key_id,
        attestations: [],
        reasons: [],
        keys: 'http://coordinator.test/.well-known/aitbc-keys.json',
        result_hash_matches: true,
        payload_hash_matches: true,
      },
    });
  });

  it('wait: polls when the stream is not available, slowing down', async () => {
    let polls = 0;
    const io = fakeIo({
      fetch: coordinator({
        [`GET /v1/jobs/${JOB_ID}/events`]: () => envelope(503, 'SERVICE_UNAVAILABLE', 'no streams here'),
        [`GET /v1/jobs/${JOB_ID}`]: () =>
          json(200, ++polls < 4 ? view({ state: 'RUNNING', attempts: 1 }) : completed()),
        [`GET /v1/jobs/${JOB_ID}/result`]: () =>
          json(200, { state: 'COMPLETED', result: RESULT, receipt, error: null }),
      }),
    });
    const { code, stderr } = await aitbc(['wait', JOB_ID], io);
    expect(code).toBe(0);
    expect(io.sleeps).toEqual([500, 750, 1125]);
    expect(stderr).toBe(
      '[0.0 s] no live updates (no streams here (503 SERVICE_UNAVAILABLE; request id req-1)); polling\n' +
        '[0.0 s] RUNNING\n[2.4 s] COMPLETED\n',
    );
  });

  it('wait in a terminal: a spinner redrawn in place with the state and the elapsed time, cleared at the end', async () => {
    let polls = 0;
    const io = fakeIo({
      tty: true,
      fetch: coordinator({
        [`GET /v1/jobs/${JOB_ID}/events`]: () => envelope(503, 'SERVICE_UNAVAILABLE', 'no streams here'),
        [`GET /v1/jobs/${JOB_ID}`]: () =>
          json(
            200,
            ++polls < 3 ? view({ state: 'RUNNING', attempts: 1, assigned_miner_id: 'rig-1/gpu-a' }) : completed(),
          ),
        [`GET /v1/jobs/${JOB_ID}/result`]: () =>
          json(200, { state: 'COMPLETED', result: RESULT, receipt, error: null }),
      }),
    });
    const { code, stderr } = await aitbc(['wait', JOB_ID], io);
    expect(code).toBe(0);
    // a timer may redraw the spinner in between, so the frames are any of the spinner's
    const frame = (text: string) => `\\r\\x1b\\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ${text}`;
    expect(stderr).toMatch(
      new RegExp(
        `^(${frame('.*')})*` +
          `(${frame('RUNNING · on rig-1/gpu-a · 0\\.0 s')})+` +
          `(${frame('RUNNING · on rig-1/gpu-a · 0\\.5 s')})+` +
          `(${frame('COMPLETED · 1\\.3 s')})+` +
          '\\r\\x1b\\[2K$',
      ),
    );
    expect(stderr).not.toContain('\n');
  });

  it('wait: Ctrl-C stops waiting with exit 130 and says the job goes on', async () => {
    const io: FakeIo = fakeIo({
      fetch: coordinator({
        [`GET /v1/jobs/${JOB_ID}/events`]: () => envelope(503, 'SERVICE_UNAVAILABLE', 'no streams here'),
        [`GET /v1/jobs/${JOB_ID}`]: () => {
          expect(io.interrupt()).toBe(true);
          return json(200, view({ state: 'RUNNING', attempts: 1 }));
        },
      }),
    });
    const { code, stdout, stderr } = await aitbc(['wait', JOB_ID], io);
    expect({ code, stdout }).toEqual({ code: 130, stdout: '' });
    expect(stderr).toMatch(
      new RegExp(
        `\\[0\\.0 s\\] RUNNING\\naitbc: stopped waiting; job ${JOB_ID} goes on \\(aitbc wait ${JOB_ID}\\)\\n$`,
      ),
    );
    expect(io.requests.filter((request) => request.url.endsWith(`/v1/jobs/${JOB_ID}`))).toHaveLength(1);
    expect(io.interrupt()).toBe(false);
  });

  it('wait: exit 1 and the error for a failed job; exit 4 for an unknown one', async () => {
    const failed = view({
      state: 'FAILED',
      status: 'failed',
      attempts: 1,
      error: { code: 'E_OOM', message: 'out of memory' },
    });
    const io = fakeIo({
      fetch: coordinator({
        [`GET /v1/jobs/${JOB_ID}/events`]: () => sse(failed),
        [`GET /v1/jobs/${JOB_ID}`]: () => json(200, failed),
        [`GET /v1/jobs/${JOB_ID}/result`]: () =>
          json(200, { state: 'FAILED', result: null, receipt: null, error: failed.error }),
      }),
    });
    expect(await aitbc(['wait', JOB_ID], io)).toMatchObject({
      code: 1,
      stdout: `Job ID: ${JOB_ID}\nStatus: failed\nError: E_OOM: out of memory\n`,
    });
    const unknown = fakeIo({ fetch: () => envelope(404, 'JOB_NOT_FOUND', 'job not found') });
    expect(await aitbc(['wait', JOB_ID], unknown)).toEqual({
      code: 4,
      stdout: '',
      stderr: 'aitbc: job not found (404 JOB_NOT_FOUND)\n',
    });
  });

  it('result: the text, exit 1 while not finished', async () => {
    const io = fakeIo({
      fetch: coordinator({
        [`GET /v1/jobs/${JOB_ID}/result`]: () =>
          json(200, { state: 'COMPLETED', result: RESULT, receipt, error: null }),
      }),
    });
    expect(await aitbc(['result', JOB_ID], io)).toEqual({ code: 0, stdout: `${RESULT.response}\n`, stderr: '' });
    const early = fakeIo({ fetch: () => envelope(425, 'JOB_NOT_READY', 'job not ready') });
    expect(await aitbc(['result', JOB_ID], early)).toEqual({
      code: 1,
      stdout: '',
      stderr: `aitbc: job ${JOB_ID} is not finished yet (aitbc wait ${JOB_ID})\n`,
    });
  });

  it('cancel: a job canceled already (a lost answer) is success; a finished one exit 2', async () => {
    const canceled = view({ state: 'CANCELED', status: 'canceled' });
    const again = fakeIo({
      fetch: coordinator({
        [`POST /v1/jobs/${JOB_ID}/cancel`]: () => envelope(409, 'JOB_ALREADY_TERMINAL', 'job is CANCELED'),
        [`GET /v1/jobs/${JOB_ID}`]: () => json(200, canceled),
      }),
    });
    expect(await aitbc(['cancel', JOB_ID], again)).toEqual({ code: 0, stdout: `Job ${JOB_ID} canceled\n`, stderr: '' });
    const done = fakeIo({
      fetch: coordinator({
        [`POST /v1/jobs/${JOB_ID}/cancel`]: () => envelope(409, 'JOB_ALREADY_TERMINAL', 'job is COMPLETED'),
        [`GET /v1/jobs/${JOB_ID}`]: () => json(200, completed()),
      }),
    });
    expect(await aitbc(['cancel', JOB_ID], done)).toEqual({
      code: 2,
      stdout: '',
      stderr: `aitbc: job ${JOB_ID} already finished (COMPLETED); nothing to cancel\n`,
    });
  });
});

describe('receipt', () => {
  const routes = (overrides: Record<string, FakeFetch> = {}) =>
    coordinator({
      [`GET /v1/jobs/${JOB_ID}/receipt`]: () => json(200, receipt),
      [`GET /v1/jobs/${JOB_ID}`]: () => json(200, completed()),
      'GET /.well-known/aitbc-keys.json': () => json(200, keys),
      ...overrides,
    });

  it('--verify: valid against the published keys and the job', async () => {
    const { code, stdout } = await aitbc(['receipt', JOB_ID, '--verify'], fakeIo({ fetch: routes() }));
    expect(code).toBe(0);
    expect(stdout).toContain(`\nPrice:        0.25 AITBC\n`);
    expect(stdout).toContain(
      `\nVerified:     yes: signature by key ${receipt.signature.key_id}, result, payload (keys: http://coordinator.test/.well-known/aitbc-keys.json)\n`,
    );
  });

  it('--verify: exit 1 for an altered receipt, or a result that is not the one it covers', async () => {
    const altered = fakeIo({
      fetch: routes({ [`GET /v1/jobs/${JOB_ID}/receipt`]: () => json(200, { ...receipt, price: '0.01' }) }),
    });
    const first = await aitbc(['receipt', JOB_ID, '--verify', '--json'], altered);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout).verification.reasons).toEqual([
      'signature: does not match the receipt (it was altered or signed by another key)',
    ]);
    const swapped = fakeIo({
      fetch: routes({ [`GET /v1/jobs/${JOB_ID}`]: () => json(200, { ...completed(), result: { response: 'other' } }) }),
    });
    const second = await aitbc(['receipt', JOB_ID, '--verify'], swapped);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain("\nVerified:     NO: result_hash does not match the job's result\n");
  });

  it('--file --public-key: verifies with no coordinator at all', async () => {
    const io = fakeIo({ files: { 'r.json': JSON.stringify(receipt) } });
    const publicKey = VECTOR_PUBLIC_KEY;
    const { code, stdout } = await aitbc(
      ['receipt', '--file', 'r.json', '--verify', '--public-key', publicKey, '--json'],
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).verification).toMatchObject({ valid: true, keys: 'offline', result_hash_matches: null });
    expect(io.requests).toEqual([]);
    const wrongKey = await aitbc(
      ['receipt', '--file', 'r.json', '--verify', '--public-key', '11'.repeat(32)],
      fakeIo({ files: { 'r.json': JSON.stringify(receipt) } }),
    );
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain(
      `Verified:     NO: signature: key ${receipt.signature.key_id} is not a trusted key`,
    );
  });
});

describe('balance, keys and completion', () => {
  it('balance: the account of an unnamed key, and a hint when the key has a name', async () => {
    const io = fakeIo({ fetch: () => json(200, { account_id: 'client:client_x', balance: '10.5', held: '0.25' }) });
    expect((await aitbc(['balance'], io)).stdout).toBe(
      'Account: client:client_x\nBalance: 10.5 AITBC\nHeld:    0.25 AITBC\n',
    );
    expect(io.requests[0].url).toMatch(/\/v1\/ledger\/accounts\/client%3Aclient_[0-9a-f]{12}$/);
    const named = fakeIo({ fetch: () => envelope(404, 'ACCOUNT_NOT_FOUND', 'account not found') });
    expect((await aitbc(['balance'], named)).stderr).toBe(
      'aitbc: account not found (404 ACCOUNT_NOT_FOUND); if your key is configured with a name (NAME:KEY), run: aitbc balance client:NAME\n',
    );
    const alice = fakeIo({ fetch: () => json(200, { account_id: 'client:alice', balance: '1', held: '0' }) });
    await aitbc(['balance', 'alice'], alice);
    expect(alice.requests[0].url).toBe('http://coordinator.test/v1/ledger/accounts/client%3Aalice');
  });

  it('keys: a coordinator seed whose public key and key id are the ones printed', async () => {
    const { code, stdout } = await aitbc(['keys', 'coordinator', '--json'], fakeIo(), {});
    expect(code).toBe(0);
    const key = JSON.parse(stdout);
    const pair = keyPairFromSeedHex(key.seed_hex);
    expect(key).toEqual({
      kind: 'coordinator',
      env: 'RECEIPT_SIGNING_KEY_HEX',
      seed_hex: expect.stringMatching(/^[0-9a-f]{64}$/),
      key_id: keyId(pair.publicKey),
      public_key: publicKeyToBase64Url(pair.publicKey),
      public_key_hex: Buffer.from(pair.publicKey).toString('hex'),
    });
    const human = await aitbc(['keys'], fakeIo(), {});
    expect(human.stdout).toMatch(
      /^# receipt signing key for the coordinator; keep the seed secret\nRECEIPT_SIGNING_KEY_HEX=[0-9a-f]{64}\n# key_id [0-9a-f]{16}, public key [A-Za-z0-9_-]{43}\n$/,
    );
  });

  it('keys: a miner key file, and API keys', async () => {
    const miner = await aitbc(['keys', 'miner'], fakeIo(), {});
    expect(JSON.parse(miner.stdout)).toEqual({
      seed_hex: expect.stringMatching(/^[0-9a-f]{64}$/),
      created_at: '2026-11-22T10:00:00.000Z',
    });
    expect(miner.stderr).toMatch(
      /^aitbc: miner result-signing key: save it as <MINER_STATE_DIR>\/miner-key.json; key_id/,
    );
    const api = await aitbc(['keys', 'api', '--role', 'admin', '--name', 'ops'], fakeIo(), {});
    expect(api.stdout).toMatch(/\nADMIN_API_KEYS=ops:ak_[A-Za-z0-9_-]{43}\n$/);
    expect((await aitbc(['keys', 'api', '--role', 'root'], fakeIo(), {})).code).toBe(2);
    expect((await aitbc(['keys', 'gpg'], fakeIo(), {})).stderr).toBe(
      'aitbc: unknown key kind "gpg" (coordinator, attestation, miner, api)\n',
    );
  });

  it('completion: a bash script covering every command', async () => {
    const { code, stdout } = await aitbc(['completion', 'bash'], fakeIo(), {});
    expect(code).toBe(0);
    expect(stdout).toContain('complete -F _aitbc aitbc aitbc-cli.sh\n');
    for (const command of CATALOG.commands) {
      expect(stdout).toContain(`"${command.path.join(' ')}") opts=`);
    }
    expect((await aitbc(['completion', 'zsh'], fakeIo(), {})).stdout).toMatch(/^#compdef aitbc\n/);
    expect((await aitbc(['completion', 'fish'], fakeIo(), {})).code).toBe(2);
  });
});
