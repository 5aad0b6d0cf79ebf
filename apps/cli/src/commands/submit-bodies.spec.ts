import { fakeIo } from '../../../../test/support/fake-io';
import type { OptionValues } from '../command';
import { SERVICES, constraints, envelope, typedJob, type Submission } from './submit-bodies';

const io = fakeIo({
  files: {
    'prompt.txt': 'What is machine learning?\n',
    'chat.json': JSON.stringify([{ role: 'user', content: 'Hi' }]),
    'job.json': '{"type": "embedding", "input": ["a"]}',
  },
});

async function build(kind: string, values: OptionValues): Promise<Submission> {
  return SERVICES.find((service) => service.kind === kind)!.build(values, io);
}

describe('submit request bodies', () => {
  it("inference: the seed's payload in the job envelope, model defaulted", async () => {
    await expect(build('inference', { prompt: 'What is machine learning?' })).resolves.toEqual({
      path: '/v1/jobs',
      body: { payload: { type: 'inference', prompt: 'What is machine learning?', model: 'llama3.2:latest' } },
    });
  });

  it('inference: Ollama options and every envelope field', async () => {
    const values: OptionValues = {
      'prompt-file': 'prompt.txt',
      model: 'llama3.1:8b',
      temperature: '0.7',
      'max-tokens': '500',
      option: ['top_p=0.9', 'stop=["\\n"]'],
      payment: '0.5',
      ttl: '60',
      timeout: '300',
      priority: '5',
      webhook: 'https://client.example/hook',
      constraint: ['gpu=nvidia', 'min_vram_gb=16', 'models=a,b', 'models=c', 'region=eu-west'],
    };
    await expect(build('inference', values)).resolves.toEqual({
      path: '/v1/jobs',
      body: {
        payload: {
          type: 'inference',
          prompt: 'What is machine learning?\n',
          model: 'llama3.1:8b',
          options: { top_p: 0.9, stop: ['\n'], temperature: 0.7, num_predict: 500 },
        },
        constraints: { gpu: 'nvidia', min_vram_gb: 16, models: ['a', 'b', 'c'], region: 'eu-west' },
        ttl_seconds: 60,
        timeout_seconds: 300,
        payment_amount: '0.5',
        priority: 5,
        webhook_url: 'https://client.example/hook',
      },
    });
  });

  it('chat: system, file and flag messages in order', async () => {
    await expect(
      build('chat', { system: 'Be brief.', 'messages-file': 'chat.json', message: ['assistant: Hello!', 'user:And?'] }),
    ).resolves.toEqual({
      path: '/v1/jobs',
      body: {
        payload: {
          type: 'chat',
          model: 'llama3.2:latest',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
            { role: 'user', content: 'And?' },
          ],
        },
      },
    });
  });

  it('whisper: the route of its task, unset fields left out, payment and placement under job', async () => {
    await expect(
      build('whisper', {
        'audio-url': 'https://x.example/a.mp3',
        language: 'en',
        payment: '1',
        constraint: ['region=eu-west'],
        set: ['word_timestamps=true'],
      }),
    ).resolves.toEqual({
      path: '/v1/services/whisper/transcribe',
      body: {
        audio_url: 'https://x.example/a.mp3',
        language: 'en',
        word_timestamps: true,
        job: { payment_amount: '1', region: 'eu-west' },
      },
    });
    await expect(build('whisper', { 'audio-url': 'u', task: 'translate', model: 'small' })).resolves.toEqual({
      path: '/v1/services/whisper/translate',
      body: { audio_url: 'u', model: 'small' },
    });
  });

  it('sd, ffmpeg and blender: their typed endpoints and fields', async () => {
    await expect(
      build('sd', {
        prompt: 'a lighthouse',
        'negative-prompt': 'blurry',
        model: 'sdxl-base-1.0',
        width: '1024',
        height: '768',
        steps: '30',
        seed: '7',
        priority: '3',
        webhook: 'https://client.example/hook',
      }),
    ).resolves.toEqual({
      path: '/v1/services/stable-diffusion/generate',
      body: {
        prompt: 'a lighthouse',
        negative_prompt: 'blurry',
        model: 'sdxl-base-1.0',
        width: 1024,
        height: 768,
        steps: 30,
        seed: 7,
        job: { priority: 3, webhook_url: 'https://client.example/hook' },
      },
    });
    await expect(
      build('ffmpeg', {
        'input-url': 'https://x.example/in.mov',
        'output-format': 'webm',
        'video-codec': 'vp9',
        'audio-codec': 'opus',
        resolution: '1280x720',
        crf: '30',
        preset: 'fast',
        constraint: ['max_price=0.05'],
      }),
    ).resolves.toEqual({
      path: '/v1/services/ffmpeg/transcode',
      body: {
        input_url: 'https://x.example/in.mov',
        output_format: 'webm',
        video_codec: 'vp9',
        audio_codec: 'opus',
        resolution: '1280x720',
        crf: 30,
        preset: 'fast',
        job: { max_price: '0.05' },
      },
    });
    await expect(build('ffmpeg', { 'input-url': 'https://x.example/in.mov' })).resolves.toEqual({
      path: '/v1/services/ffmpeg/transcode',
      body: { input_url: 'https://x.example/in.mov' },
    });
    await expect(
      build('blender', {
        'blend-file-url': 'https://x.example/s.blend',
        'frame-start': '1',
        'frame-end': '24',
        engine: 'eevee',
        set: ['samples=64', 'output_format="exr"'],
      }),
    ).resolves.toEqual({
      path: '/v1/services/blender/render',
      body: {
        blend_file_url: 'https://x.example/s.blend',
        frame_start: 1,
        frame_end: 24,
        engine: 'eevee',
        samples: 64,
        output_format: 'exr',
      },
    });
  });

  it('raw: the payload from an option or a file', async () => {
    await expect(build('raw', { payload: '{"type": "x", "n": 1}' })).resolves.toEqual({
      path: '/v1/jobs',
      body: { payload: { type: 'x', n: 1 } },
    });
    await expect(build('raw', { 'payload-file': 'job.json' })).resolves.toEqual({
      path: '/v1/jobs',
      body: { payload: { type: 'embedding', input: ['a'] } },
    });
  });

  it.each<[string, string, OptionValues, string]>([
    ['inference', 'no prompt', {}, '--prompt is required'],
    [
      'inference',
      'prompt and file',
      { prompt: 'a', 'prompt-file': 'prompt.txt' },
      'give --prompt or --prompt-file, not both',
    ],
    ['inference', 'a missing file', { 'prompt-file': 'nope.txt' }, '--prompt-file: cannot read nope.txt (ENOENT)'],
    [
      'inference',
      'a bad temperature',
      { prompt: 'a', temperature: 'hot' },
      '--temperature must be a number (got "hot")',
    ],
    ['inference', 'a bad ttl', { prompt: 'a', ttl: '1.5' }, '--ttl must be a whole number (got "1.5")'],
    ['inference', 'a bad option', { prompt: 'a', option: ['x'] }, '--option takes KEY=VALUE (got "x")'],
    [
      'chat',
      'no user message',
      { system: 'x' },
      'a chat needs at least one user message: --message "user: …" or --messages-file',
    ],
    [
      'chat',
      'a bad role',
      { message: ['bot: hi'] },
      '--message takes ROLE:TEXT with ROLE system, user or assistant (got "bot: hi")',
    ],
    ['whisper', 'no audio', {}, '--audio-url is required'],
    [
      'whisper',
      'a bad task',
      { 'audio-url': 'u', task: 'sing' },
      '--task must be transcribe or translate (got "sing")',
    ],
    ['ffmpeg', 'no input', { 'output-format': 'mp4' }, '--input-url is required'],
    [
      'sd',
      'a hardware constraint',
      { prompt: 'p', constraint: ['gpu=nvidia'] },
      'constraint "gpu" does not apply to a typed service',
    ],
    ['raw', 'bad JSON', { payload: '{' }, '--payload is not valid JSON (Expected property name or'],
    ['raw', 'an array', { payload: '[1]' }, '--payload must be a JSON object'],
  ])('%s with %s is a usage error', async (kind, _case, values, message) => {
    const failure = build(kind, values);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toHaveProperty('exitCode', 2);
  });
});

describe('typed services and job times', () => {
  const typedKinds = ['whisper', 'sd', 'ffmpeg', 'blender'];

  it.each(typedKinds.flatMap((kind) => [[kind, 'ttl'] as const, [kind, 'timeout'] as const]))(
    '%s refuses --%s, before its own options, saying why and what to use instead',
    async (kind, option) => {
      const failure = build(kind, { [option]: '5' });
      await expect(failure).rejects.toThrow(
        `--${option} does not apply to a typed service: the coordinator sets its queue and run times ` +
          '(queue: whisper 900 s, SD 600 s, LLM 300 s, ffmpeg 1800 s, blender max(600, frames × 30) s); ' +
          `for a custom --${option} use submit raw`,
      );
      await expect(failure).rejects.toHaveProperty('exitCode', 2);
    },
  );

  it('is the typed kinds that take --ttl and --timeout only to refuse them; the others send them', async () => {
    const takesTimes = SERVICES.filter((service) => 'ttl' in service.options && 'timeout' in service.options);
    expect(takesTimes.map((service) => service.kind)).toEqual(['inference', 'chat', ...typedKinds, 'raw']);
    await expect(build('raw', { payload: '{}', ttl: '5', timeout: '60' })).resolves.toEqual({
      path: '/v1/jobs',
      body: { payload: {}, ttl_seconds: 5, timeout_seconds: 60 },
    });
  });
});

describe('constraints and the envelope', () => {
  it('are absent when not given', () => {
    expect(constraints({})).toBeUndefined();
    expect(envelope({})).toEqual({});
    expect(typedJob({})).toBeUndefined();
  });

  it.each<[string[], string]>([
    [['vram=16'], 'unknown constraint "vram" (known: gpu, min_vram_gb, cuda, models, services, region, max_price)'],
    [['gpu=a', 'gpu=b'], 'constraint "gpu" is given twice'],
    [['min_vram_gb=lots'], 'constraint min_vram_gb must be a number (got "lots")'],
    [['gpu'], '--constraint takes KEY=VALUE (got "gpu")'],
  ])('refuse %j', (constraint, message) => {
    expect(() => constraints({ constraint })).toThrow(message);
  });
});
