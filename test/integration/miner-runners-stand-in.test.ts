import {
  expectedReply,
  OllamaStandIn,
  startOllamaStandIn,
  startOllamaStandInProcess,
} from '../support/ollama-stand-in';

async function post(url: string, body: unknown): Promise<{ status: number; type: string | null; lines: unknown[] }> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    lines: text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown),
  };
}

describe("the Ollama stand-in speaks Ollama's protocol", () => {
  let ollama: OllamaStandIn;

  beforeAll(async () => {
    ollama = await startOllamaStandIn();
  });
  afterAll(() => ollama.close());

  it('lists its models as GET /api/tags does', async () => {
    const response = await fetch(`${ollama.url}/api/tags`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { models: unknown[] };
    expect(body.models).toHaveLength(2);
    expect(body.models[0]).toEqual({
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      modified_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      size: 2019393189,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    });
    await expect((await fetch(`${ollama.url}/api/version`)).json()).resolves.toEqual({ version: '0.5.7' });
  });

  it('streams /api/generate as NDJSON by default, one token a line, then the statistics', async () => {
    const body = { model: 'llama3.2', prompt: 'What is machine learning?' };
    const { status, type, lines } = await post(`${ollama.url}/api/generate`, body);
    const expected = expectedReply('generate', body);
    expect({ status, type }).toEqual({ status: 200, type: 'application/x-ndjson' });
    expect(lines.slice(0, -1)).toEqual(
      expected.tokens.map((token) => ({
        model: 'llama3.2',
        created_at: expect.any(String),
        response: token,
        done: false,
      })),
    );
    expect(lines.at(-1)).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      response: '',
      done: true,
      done_reason: 'stop',
      context: expect.any(Array),
      total_duration: expected.total_duration,
      load_duration: 5_000_000,
      prompt_eval_count: 4,
      prompt_eval_duration: 4_000_000,
      eval_count: 6,
      eval_duration: 120_000_000,
    });
    expect(expected.text).toBe('You said: What is machine learning?');
  });

  it('answers stream:false with one JSON body, and stops at num_predict with done_reason "length"', async () => {
    const { type, lines } = await post(`${ollama.url}/api/generate`, {
      model: 'llama3.2:latest',
      prompt: 'one two three four',
      stream: false,
      options: { num_predict: 3 },
    });
    expect(type).toBe('application/json; charset=utf-8');
    expect(lines).toEqual([
      expect.objectContaining({ response: 'You said: one', done: true, done_reason: 'length', eval_count: 3 }),
    ]);
  });

  it('streams /api/chat as assistant message pieces, answering the last user message', async () => {
    const body = {
      model: 'qwen2.5:0.5b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
      options: { temperature: 0.1 },
    };
    const { lines } = await post(`${ollama.url}/api/chat`, body);
    expect(
      lines
        .slice(0, -1)
        .map((line) => (line as { message: { content: string } }).message.content)
        .join(''),
    ).toBe('You said: there Hello');
    expect(lines.at(-1)).toEqual({
      model: 'qwen2.5:0.5b',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      total_duration: expect.any(Number),
      load_duration: 5_000_000,
      prompt_eval_count: 4,
      prompt_eval_duration: 4_000_000,
      eval_count: 4,
      eval_duration: 80_000_000,
    });
  });

  it('answers 404 for a model it does not have, exactly as Ollama does', async () => {
    await expect(post(`${ollama.url}/api/generate`, { model: 'llama9', prompt: 'x' })).resolves.toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      lines: [{ error: 'model "llama9" not found, try pulling it first' }],
    });
  });

  it.each([
    ['', 'missing request body'],
    ['{"prompt":"x"}', 'model is required'],
    ['{"model":7}', 'json: cannot unmarshal number into Go struct field GenerateRequest.model of type string'],
    ['[1]', 'json: cannot unmarshal array into Go value of type api.GenerateRequest'],
    [
      '{"model":"llama3.2","prompt":"x","options":{"num_predict":"many"}}',
      'option "num_predict" must be of type integer',
    ],
  ])('answers 400 to the body %j', async (body, error) => {
    await expect(post(`${ollama.url}/api/generate`, body)).resolves.toMatchObject({ status: 400, lines: [{ error }] });
  });

  it('only loads the model for an empty prompt', async () => {
    const { lines } = await post(`${ollama.url}/api/generate`, { model: 'llama3.2' });
    expect(lines).toEqual([
      { model: 'llama3.2', created_at: expect.any(String), response: '', done: true, done_reason: 'load' },
    ]);
  });

  it('injects an error line mid-stream, once', async () => {
    ollama.setFailure({ kind: 'error-mid-stream', afterTokens: 2, error: 'CUDA error: out of memory', once: true });
    const first = await post(`${ollama.url}/api/generate`, { model: 'llama3.2', prompt: 'a b c' });
    expect(first.status).toBe(200);
    expect(first.lines).toHaveLength(3);
    expect(first.lines[2]).toEqual({ error: 'CUDA error: out of memory' });
    const second = await post(`${ollama.url}/api/generate`, { model: 'llama3.2', prompt: 'a b c' });
    expect(second.lines.at(-1)).toMatchObject({ done: true });
  });
});

describe('the Ollama stand-in as a process', () => {
  it('prints its URL, serves the protocol and is steered over HTTP', async () => {
    const ollama = await startOllamaStandInProcess({ models: ['tinyllama'] });
    try {
      expect(ollama.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const tags = (await (await fetch(`${ollama.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
      expect(tags.models.map((model) => model.name)).toEqual(['tinyllama:latest']);
      await ollama.setFailure({ kind: 'status', status: 500, error: 'boom' });
      const failed = await post(`${ollama.url}/api/generate`, { model: 'tinyllama', prompt: 'x' });
      expect(failed).toMatchObject({ status: 500, lines: [{ error: 'boom' }] });
      expect((await ollama.requests()).map((request) => request.path)).toEqual(['/api/tags', '/api/generate']);
    } finally {
      await ollama.close();
    }
  });
});
