import { isOllamaPayload, parseOllamaPayload } from './ollama-payload';

describe('Ollama payloads', () => {
  it('takes the seed inference form to /api/generate with its options', () => {
    expect(
      parseOllamaPayload({
        type: 'inference',
        prompt: 'What is machine learning?',
        model: 'llama3.2:latest',
        system: 'Be brief.',
        options: { temperature: 0.7, num_predict: 500 },
        client_key: 'ignored',
      }),
    ).toEqual({
      ok: true,
      value: {
        endpoint: 'generate',
        request: {
          model: 'llama3.2:latest',
          prompt: 'What is machine learning?',
          system: 'Be brief.',
          options: { temperature: 0.7, num_predict: 500 },
        },
      },
    });
  });

  it('takes chat messages to /api/chat', () => {
    expect(
      parseOllamaPayload({
        type: 'chat',
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      }),
    ).toEqual({
      ok: true,
      value: {
        endpoint: 'chat',
        request: {
          model: 'llama3.2',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hi' },
          ],
        },
      },
    });
  });

  it('maps the typed llm_inference request, max_tokens becoming num_predict', () => {
    expect(
      parseOllamaPayload({
        service_type: 'llm_inference',
        service_request: {
          model: 'qwen2.5:0.5b',
          prompt: 'Hi',
          max_tokens: 64,
          temperature: 0.2,
          top_p: 0.9,
          stream: true,
        },
      }),
    ).toEqual({
      ok: true,
      value: {
        endpoint: 'generate',
        request: { model: 'qwen2.5:0.5b', prompt: 'Hi', options: { num_predict: 64, temperature: 0.2, top_p: 0.9 } },
      },
    });
  });

  it("passes sampling options only: the ones that spend the miner's memory are dropped", () => {
    const parsed = parseOllamaPayload({
      type: 'inference',
      model: 'm',
      prompt: 'p',
      options: { seed: 42, stop: ['\n'], num_ctx: 131072, num_gpu: 99 },
    });
    expect(parsed).toEqual({
      ok: true,
      value: { endpoint: 'generate', request: { model: 'm', prompt: 'p', options: { seed: 42, stop: ['\n'] } } },
    });
  });

  it.each([
    [{ type: 'inference', model: 'm' }, 'prompt must be a non-empty string'],
    [{ type: 'inference', prompt: 'p' }, 'model must be a non-empty string'],
    [{ type: 'inference', prompt: 42, model: 'm' }, 'prompt must be a non-empty string'],
    [{ type: 'inference', prompt: 'p', model: 'm', options: [] }, 'options must be an object'],
    [
      { type: 'inference', prompt: 'p', model: 'm', options: { temperature: '0.7' } },
      'options.temperature must be a number ≥ 0',
    ],
    [
      { type: 'inference', prompt: 'p', model: 'm', options: { num_predict: 1.5 } },
      'options.num_predict must be an integer ≥ -2',
    ],
    [{ type: 'chat', model: 'm', messages: [] }, 'messages must be a non-empty list of {role, content}'],
    [
      { type: 'chat', model: 'm', messages: [{ role: 'wizard', content: 'x' }] },
      'messages[0].role must be one of system, user, assistant, tool',
    ],
    [{ type: 'chat', model: 'm', messages: [{ role: 'user' }] }, 'messages[0].content must be a string'],
    [{ service_type: 'llm_inference' }, 'service_request must be an object'],
    [
      { service_type: 'llm_inference', service_request: { model: 'm', prompt: 'p', max_tokens: 0 } },
      'service_request.max_tokens must be an integer ≥ 1',
    ],
    [
      { service_type: 'llm_inference', service_request: { model: 'm', prompt: 'p', top_p: 2 } },
      'service_request.top_p must be a number from 0 to 1',
    ],
  ])('refuses %j: %s', (payload, message) => {
    expect(parseOllamaPayload(payload)).toEqual({ ok: false, message });
  });

  it('never echoes the payload in its messages', () => {
    const parsed = parseOllamaPayload({
      type: 'inference',
      model: 'm',
      prompt: 'p',
      options: { temperature: 'secret-ish' },
    });
    expect(JSON.stringify(parsed)).not.toContain('secret-ish');
  });

  it('accepts inference, chat and llm_inference payloads only', () => {
    expect(isOllamaPayload({ type: 'inference' })).toBe(true);
    expect(isOllamaPayload({ type: 'chat' })).toBe(true);
    expect(isOllamaPayload({ service_type: 'llm_inference' })).toBe(true);
    expect(isOllamaPayload({ type: 'cli' })).toBe(false);
    expect(isOllamaPayload({ service_type: 'ffmpeg' })).toBe(false);
  });
});
