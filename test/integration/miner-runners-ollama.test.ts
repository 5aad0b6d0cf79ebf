import { OllamaRunner } from '../../apps/miner/src/runners/ollama/ollama.runner';
import type { RunContext } from '../../apps/miner/src/runners/runner';
import { expectedReply, OllamaStandIn, startOllamaStandIn } from '../support/ollama-stand-in';
import { freePort } from '../support/processes';
import { waitFor } from '../support/wait-for';

function context(payload: Record<string, unknown>, fields: Partial<RunContext> = {}): RunContext {
  return {
    jobId: 'job-1',
    payload,
    workspace: '/nonexistent-the-ollama-runner-needs-none',
    signal: new AbortController().signal,
    timeoutMs: 10_000,
    ...fields,
  };
}

const INFERENCE = {
  type: 'inference',
  prompt: 'What is machine learning?',
  model: 'llama3.2:latest',
  options: { temperature: 0, num_predict: 500 },
};

describe('OllamaRunner against the Ollama stand-in', () => {
  let ollama: OllamaStandIn;
  let runner: OllamaRunner;

  beforeEach(async () => {
    ollama = await startOllamaStandIn();
    runner = new OllamaRunner({ baseUrl: ollama.url });
  });
  afterEach(() => ollama.close());

  it("runs the seed's inference job, streaming, with Ollama's figures as metrics", async () => {
    const outcome = await runner.run(context(INFERENCE));
    const expected = expectedReply('generate', INFERENCE);
    expect(outcome).toEqual({
      ok: true,
      result: { output: 'You said: What is machine learning?', model: 'llama3.2:latest', done_reason: 'stop' },
      metrics: {
        duration_ms: expect.any(Number),
        compute_time: expected.total_duration / 1e9,
        gpu_seconds: expected.total_duration / 1e9,
        tokens_generated: 6,
        prompt_tokens: 4,
        tokens_per_second: 50,
      },
    });
    expect(ollama.requests).toEqual([
      {
        method: 'POST',
        path: '/api/generate',
        body: {
          model: 'llama3.2:latest',
          prompt: 'What is machine learning?',
          options: { temperature: 0, num_predict: 500 },
          stream: true,
        },
        outcome: 'done',
        tokensSent: 6,
      },
    ]);
  });

  it('passes temperature and num_predict through: the reply is cut at num_predict tokens', async () => {
    const payload = { ...INFERENCE, prompt: 'one two three four five', options: { temperature: 0.2, num_predict: 4 } };
    const outcome = await runner.run(context(payload));
    expect(outcome).toMatchObject({
      ok: true,
      result: { output: 'You said: three four', done_reason: 'length' },
      metrics: { tokens_generated: 4 },
    });
  });

  it('runs a chat job on /api/chat and returns the assistant message', async () => {
    const payload = {
      type: 'chat',
      model: 'qwen2.5:0.5b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Name a colour' },
      ],
    };
    const outcome = await runner.run(context(payload));
    expect(outcome).toEqual({
      ok: true,
      result: {
        output: 'You said: Name a colour',
        model: 'qwen2.5:0.5b',
        done_reason: 'stop',
        message: { role: 'assistant', content: 'You said: Name a colour' },
      },
      metrics: expect.objectContaining({ tokens_generated: 5, prompt_tokens: 5 }),
    });
    expect(ollama.requests[0]).toMatchObject({
      path: '/api/chat',
      body: { model: payload.model, messages: payload.messages, stream: true },
    });
  });

  it('maps the typed llm_inference request, max_tokens becoming num_predict', async () => {
    const outcome = await runner.run(
      context({
        service_type: 'llm_inference',
        service_request: {
          model: 'llama3.2',
          prompt: 'a b c d',
          max_tokens: 3,
          temperature: 0.5,
          top_p: 0.9,
          stream: false,
        },
      }),
    );
    // temperature 0.5 rotates the stand-in's words by five
    expect(outcome).toMatchObject({ ok: true, result: { output: 'You said: b', done_reason: 'length' } });
    expect(ollama.requests[0].body).toEqual({
      model: 'llama3.2',
      prompt: 'a b c d',
      options: { num_predict: 3, temperature: 0.5, top_p: 0.9 },
      stream: true,
    });
  });

  it('fails an unknown model with E_MODEL_NOT_FOUND and tries no other model', async () => {
    const outcome = await runner.run(context({ ...INFERENCE, model: 'llama9:70b' }));
    expect(outcome).toEqual({
      ok: false,
      code: 'E_MODEL_NOT_FOUND',
      message: 'model "llama9:70b" is not installed on this miner',
      metrics: { duration_ms: expect.any(Number) },
    });
    expect(ollama.requests.map((request) => (request.body as { model: string }).model)).toEqual(['llama9:70b']);
  });

  it('refuses a bad payload with E_BAD_INPUT without calling Ollama', async () => {
    await expect(runner.run(context({ type: 'inference', model: 'llama3.2' }))).resolves.toMatchObject({
      ok: false,
      code: 'E_BAD_INPUT',
      message: 'prompt must be a non-empty string',
    });
    expect(ollama.requests).toEqual([]);
  });

  it('reports Ollama down as a retryable E_RUNTIME saying it is unreachable', async () => {
    const port = await freePort();
    const down = new OllamaRunner({ baseUrl: `http://user:secret@127.0.0.1:${port}` });
    const outcome = await down.run(context(INFERENCE));
    expect(outcome).toMatchObject({ ok: false, code: 'E_RUNTIME' });
    expect(outcome.ok || outcome.message).toBe(`Ollama is unreachable at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('maps a 500 before any output by its message: CUDA out of memory is E_OOM', async () => {
    ollama.setFailure({ kind: 'status', status: 500, error: 'CUDA error: out of memory' });
    await expect(runner.run(context(INFERENCE))).resolves.toMatchObject({
      ok: false,
      code: 'E_OOM',
      message: 'Ollama ran out of memory: CUDA error: out of memory',
    });
    ollama.setFailure({ kind: 'status', status: 500, error: 'llama runner process has terminated: exit status 2' });
    await expect(runner.run(context(INFERENCE))).resolves.toMatchObject({
      ok: false,
      code: 'E_RUNTIME',
      message: 'Ollama failed (HTTP 500): llama runner process has terminated: exit status 2',
    });
  });

  it('fails on an error line in the middle of the stream', async () => {
    ollama.setFailure({
      kind: 'error-mid-stream',
      afterTokens: 2,
      error: 'an error was encountered while running the model',
    });
    await expect(runner.run(context(INFERENCE))).resolves.toMatchObject({
      ok: false,
      code: 'E_RUNTIME',
      message: 'Ollama failed (mid-stream): an error was encountered while running the model',
    });
  });

  it('reports a connection reset mid-stream as Ollama unreachable (E_RUNTIME)', async () => {
    ollama.setFailure({ kind: 'reset', afterTokens: 2 });
    const outcome = await runner.run(context(INFERENCE));
    expect(outcome).toMatchObject({ ok: false, code: 'E_RUNTIME' });
    expect(outcome.ok || outcome.message).toMatch(
      /^Ollama at http:\/\/127\.0\.0\.1:\d+ is unreachable: the connection was lost mid-response \(other side closed\)$/,
    );
  });

  it('times out a hung stream with E_TIMEOUT and closes the connection', async () => {
    ollama.setFailure({ kind: 'hang', afterTokens: 1 });
    const outcome = await runner.run(context(INFERENCE, { timeoutMs: 300 }));
    expect(outcome).toEqual({
      ok: false,
      code: 'E_TIMEOUT',
      message: 'inference on llama3.2:latest did not finish within 0.3 s',
      metrics: { duration_ms: expect.any(Number) },
    });
    await waitFor(() => ollama.inflight() === 0, { message: 'the stand-in to see the client leave' });
    expect(ollama.requests[0]).toMatchObject({ outcome: 'client-closed', tokensSent: 1 });
  });

  it('times out slow tokens', async () => {
    ollama.setTokenDelayMs(200);
    await expect(runner.run(context(INFERENCE, { timeoutMs: 500 }))).resolves.toMatchObject({
      ok: false,
      code: 'E_TIMEOUT',
    });
  });

  it("takes a caller's TimeoutError abort as E_TIMEOUT", async () => {
    ollama.setFailure({ kind: 'hang', afterTokens: 0 });
    const outcome = await runner.run(context(INFERENCE, { signal: AbortSignal.timeout(200) }));
    expect(outcome).toMatchObject({ ok: false, code: 'E_TIMEOUT' });
  });

  it('stops at once on cancel, with the distinguishable canceled outcome', async () => {
    ollama.setFailure({ kind: 'hang', afterTokens: 2 });
    const cancel = new AbortController();
    const running = runner.run(context(INFERENCE, { signal: cancel.signal }));
    await waitFor(() => ollama.requests[0]?.tokensSent === 2, { message: 'two tokens streamed' });
    cancel.abort();
    await expect(running).resolves.toEqual({
      ok: false,
      code: 'E_RUNTIME',
      message: 'canceled',
      canceled: true,
      metrics: { duration_ms: expect.any(Number) },
    });
    await waitFor(() => ollama.inflight() === 0, { message: 'the stand-in to see the client leave' });
    expect(ollama.requests[0].outcome).toBe('client-closed');
  });

  it('caps the text it keeps and stops the stream there', async () => {
    ollama.setTokenDelayMs(20);
    const capped = new OllamaRunner({ baseUrl: ollama.url, maxOutputChars: 12 });
    const outcome = await capped.run(context({ ...INFERENCE, prompt: 'many words in this rather long prompt' }));
    expect(outcome).toMatchObject({
      ok: true,
      result: { output: 'You said: ma', done_reason: 'length', truncated: true },
    });
    await waitFor(() => ollama.inflight() === 0, { message: 'the stream to be closed' });
    expect(ollama.requests[0].outcome).toBe('client-closed');
  });

  it('lists the installed models and the version through its client', async () => {
    await expect(runner.client.tags()).resolves.toEqual(['llama3.2:latest', 'qwen2.5:0.5b']);
    await expect(runner.client.version()).resolves.toBe('0.5.7');
  });
});
