import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Api, BOB_KEY, capabilities } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { clearDispatch, createTestPool } from '../support/test-database';

const envelope = (status: number, code: string, detail: unknown = expect.any(String), details: unknown = []) => ({
  detail,
  error: { code, status, details },
  request_id: expect.any(String),
});

const ROUTES = [
  'whisper/transcribe',
  'whisper/translate',
  'stable-diffusion/generate',
  'stable-diffusion/img2img',
  'llm/inference',
  'llm/stream',
  'ffmpeg/transcode',
  'blender/render',
] as const;
type Route = (typeof ROUTES)[number];

const AUDIO = 'https://media.example/talk.mp3';
const IMAGE = 'https://media.example/sketch.png';
const VIDEO = 'https://media.example/talk.mov';
const BLEND = 'https://media.example/scene.blend';
/** An http(s) URL one character over the 2048 the endpoints take. */
const LONG_URL = `https://media.example/${'a'.repeat(2048 - 'https://media.example/'.length - 3)}.mp3`;

/** A valid minimal body of each route. */
const MINIMAL: Record<Route, Record<string, unknown>> = {
  'whisper/transcribe': { audio_url: AUDIO },
  'whisper/translate': { audio_url: AUDIO },
  'stable-diffusion/generate': { prompt: 'a red fox in the snow' },
  'stable-diffusion/img2img': { prompt: 'as a watercolour', init_image_url: IMAGE },
  'llm/inference': { model: 'llama3.2:latest', prompt: 'Hi!' },
  'llm/stream': { model: 'llama3.2:latest', prompt: 'Hi!' },
  'ffmpeg/transcode': { input_url: VIDEO },
  'blender/render': { blend_file_url: BLEND },
};

describe('typed service endpoints (real Postgres and Redis)', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;

  const post = (route: string, body: unknown, key: string | null = TEST_KEYS.client) => {
    const req = api.http.post(`/v1/services/${route}`);
    return (key === null ? req : req.set('X-Api-Key', key)).send(body as object);
  };
  /** The job as stored: payload, constraints and queue TTL. */
  const stored = async (jobId: string) => {
    const { rows } = await pool.query<{
      payload: Record<string, unknown>;
      constraints: Record<string, unknown>;
      ttl_seconds: number;
      requested_at: Date;
    }>('SELECT payload, constraints, ttl_seconds, requested_at FROM job_views WHERE job_id = $1', [jobId]);
    return rows[0];
  };

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv({ CLIENT_API_KEYS: `alice:${TEST_KEYS.client},bob:${BOB_KEY}` }));
    api = new Api(coordinator.url);
    pool = createTestPool(2);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });

  it('lists the five service types with their options and the hardware each needs (public)', async () => {
    const res = await api.http.get('/v1/services').expect(200);
    const nvidia = (variant: string, min_vram_gb: number, min_cuda: string | null = '11.8') => ({
      variant,
      gpu_vendor: 'nvidia',
      min_vram_gb,
      min_cuda,
    });
    expect(res.body).toEqual({
      services: [
        {
          service_type: 'whisper',
          name: 'Whisper speech recognition',
          description: 'Transcribes speech, or translates it into English, with OpenAI Whisper.',
          endpoints: ['POST /v1/services/whisper/transcribe', 'POST /v1/services/whisper/translate'],
          options: {
            models: ['tiny', 'base', 'small', 'medium', 'large-v3'],
            output_formats: ['json', 'text', 'srt', 'vtt', 'tsv'],
          },
          hardware: [
            nvidia('tiny', 1),
            nvidia('base', 1),
            nvidia('small', 2),
            nvidia('medium', 5),
            nvidia('large-v3', 10),
          ],
          ttl_seconds: 900,
        },
        {
          service_type: 'stable_diffusion',
          name: 'Stable Diffusion image generation',
          description: 'Generates images from a prompt, or from a prompt and a starting image (img2img).',
          endpoints: ['POST /v1/services/stable-diffusion/generate', 'POST /v1/services/stable-diffusion/img2img'],
          options: {
            models: ['sd-1.5', 'sd-2.1', 'sdxl-base-1.0', 'sdxl-turbo', 'sd-3.5-medium'],
            schedulers: ['euler', 'euler_a', 'ddim', 'dpmpp_2m', 'lms'],
          },
          hardware: [
            nvidia('sd-1.5', 4),
            nvidia('sd-2.1', 5),
            nvidia('sdxl-base-1.0', 7.5),
            nvidia('sdxl-turbo', 7.5),
            nvidia('sd-3.5-medium', 9.5),
          ],
          ttl_seconds: 600,
        },
        {
          service_type: 'llm_inference',
          name: 'LLM inference',
          description: expect.stringContaining('0.65 GB of VRAM per billion parameters'),
          endpoints: ['POST /v1/services/llm/inference', 'POST /v1/services/llm/stream'],
          options: {
            models: [
              'llama3.2:latest',
              'llama3.1:8b',
              'mistral:7b-instruct',
              'qwen2.5:72b',
              'llama3.1:8b-instruct-q8_0',
            ],
          },
          hardware: [
            { variant: 'llama3.2:latest', gpu_vendor: null, min_vram_gb: null, min_cuda: null },
            { variant: 'llama3.1:8b', gpu_vendor: null, min_vram_gb: 6.2, min_cuda: null },
            { variant: 'mistral:7b-instruct', gpu_vendor: null, min_vram_gb: 5.6, min_cuda: null },
            { variant: 'qwen2.5:72b', gpu_vendor: null, min_vram_gb: 47.8, min_cuda: null },
            { variant: 'llama3.1:8b-instruct-q8_0', gpu_vendor: null, min_vram_gb: 9.8, min_cuda: null },
          ],
          ttl_seconds: 300,
        },
        {
          service_type: 'ffmpeg',
          name: 'FFmpeg transcoding',
          description: 'Transcodes audio and video with ffmpeg, on the CPU or (hardware_acceleration) with NVENC.',
          endpoints: ['POST /v1/services/ffmpeg/transcode'],
          options: {
            output_formats: ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'wav', 'flac', 'ogg'],
            video_codecs: ['h264', 'h265', 'vp9', 'av1', 'copy'],
            audio_codecs: ['aac', 'opus', 'mp3', 'flac', 'copy'],
            presets: ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'],
          },
          hardware: [
            { variant: 'cpu', gpu_vendor: null, min_vram_gb: null, min_cuda: null },
            { variant: 'hardware_acceleration', gpu_vendor: 'nvidia', min_vram_gb: null, min_cuda: null },
          ],
          ttl_seconds: 1800,
        },
        {
          service_type: 'blender',
          name: 'Blender rendering',
          description: 'Renders frames of a .blend file with Cycles or EEVEE.',
          endpoints: ['POST /v1/services/blender/render'],
          options: { engines: ['cycles', 'eevee'], output_formats: ['png', 'jpeg', 'exr', 'tiff'] },
          hardware: [nvidia('cycles', 4, null), { variant: 'eevee', gpu_vendor: null, min_vram_gb: 2, min_cuda: null }],
          ttl_seconds: 600,
          ttl_seconds_per_frame: 30,
        },
      ],
    });
  });

  describe('a valid body is queued as {service_type, service_request} with defaults, constraints and TTL', () => {
    const WHISPER_DEFAULTS = { model: 'base', output_format: 'json', temperature: 0, word_timestamps: false };
    const GPU = (min_vram_gb: number) => ({ gpu: 'nvidia', min_vram_gb, cuda: '11.8' });
    it.each([
      [
        'whisper/transcribe',
        MINIMAL['whisper/transcribe'],
        'whisper',
        { audio_url: AUDIO, ...WHISPER_DEFAULTS, task: 'transcribe' },
        { services: ['whisper'], ...GPU(1) },
        900,
        30,
      ],
      [
        'whisper/translate',
        { audio_url: AUDIO, model: 'large-v3', language: 'de' },
        'whisper',
        { audio_url: AUDIO, ...WHISPER_DEFAULTS, model: 'large-v3', language: 'de', task: 'translate' },
        { services: ['whisper'], ...GPU(10) },
        900,
        240,
      ],
      [
        'stable-diffusion/generate',
        MINIMAL['stable-diffusion/generate'],
        'stable_diffusion',
        {
          prompt: 'a red fox in the snow',
          model: 'sd-1.5',
          width: 512,
          height: 512,
          steps: 30,
          guidance_scale: 7.5,
          scheduler: 'euler_a',
          num_images: 1,
        },
        { services: ['stable_diffusion'], ...GPU(4) },
        600,
        13,
      ],
      [
        'stable-diffusion/img2img',
        { ...MINIMAL['stable-diffusion/img2img'], model: 'sdxl-base-1.0', seed: 7 },
        'stable_diffusion',
        {
          prompt: 'as a watercolour',
          init_image_url: IMAGE,
          strength: 0.75,
          model: 'sdxl-base-1.0',
          width: 1024,
          height: 1024,
          steps: 30,
          guidance_scale: 7.5,
          scheduler: 'euler_a',
          seed: 7,
          num_images: 1,
        },
        { services: ['stable_diffusion'], ...GPU(7.5) },
        600,
        19,
      ],
      [
        'llm/inference',
        MINIMAL['llm/inference'],
        'llm_inference',
        { model: 'llama3.2:latest', prompt: 'Hi!', max_tokens: 512, temperature: 0.7, top_p: 0.9, stream: false },
        { services: ['llm_inference'], models: ['llama3.2:latest'] },
        300,
        26,
      ],
      [
        'llm/stream',
        { model: 'llama3.1:8b', prompt: 'Hi!', system: 'Be brief.', max_tokens: 100 },
        'llm_inference',
        {
          model: 'llama3.1:8b',
          prompt: 'Hi!',
          system: 'Be brief.',
          max_tokens: 100,
          temperature: 0.7,
          top_p: 0.9,
          stream: true,
        },
        { services: ['llm_inference'], models: ['llama3.1:8b'], min_vram_gb: 6.2 },
        300,
        9,
      ],
      [
        'ffmpeg/transcode',
        MINIMAL['ffmpeg/transcode'],
        'ffmpeg',
        {
          input_url: VIDEO,
          output_format: 'mp4',
          video_codec: 'h264',
          audio_codec: 'aac',
          crf: 23,
          preset: 'medium',
          hardware_acceleration: false,
        },
        { services: ['ffmpeg'] },
        1800,
        120,
      ],
      [
        'ffmpeg/transcode',
        { input_url: VIDEO, output_format: 'webm', hardware_acceleration: true, resolution: '1280x720', fps: 30 },
        'ffmpeg',
        {
          input_url: VIDEO,
          output_format: 'webm',
          video_codec: 'av1',
          audio_codec: 'opus',
          resolution: '1280x720',
          fps: 30,
          crf: 23,
          preset: 'medium',
          hardware_acceleration: true,
        },
        { services: ['ffmpeg'], gpu: 'nvidia' },
        1800,
        60,
      ],
      [
        'blender/render',
        MINIMAL['blender/render'],
        'blender',
        {
          blend_file_url: BLEND,
          frame_start: 1,
          frame_end: 1,
          engine: 'cycles',
          resolution_x: 1920,
          resolution_y: 1080,
          samples: 128,
          output_format: 'png',
        },
        { services: ['blender'], gpu: 'nvidia', min_vram_gb: 4 },
        600,
        30,
      ],
      [
        'blender/render',
        { blend_file_url: BLEND, frame_start: 10, frame_end: 109, engine: 'eevee' },
        'blender',
        {
          blend_file_url: BLEND,
          frame_start: 10,
          frame_end: 109,
          engine: 'eevee',
          resolution_x: 1920,
          resolution_y: 1080,
          samples: 128,
          output_format: 'png',
        },
        { services: ['blender'], min_vram_gb: 2 },
        3000,
        500,
      ],
    ])('%s %j', async (route, body, serviceType, serviceRequest, constraints, ttl, runSeconds) => {
      const res = await post(route, body).expect(201);
      expect(res.body).toEqual({
        job_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        service_type: serviceType,
        state: 'QUEUED',
        estimated_completion: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const job = await stored(res.body.job_id);
      expect(job.payload).toEqual({ service_type: serviceType, service_request: serviceRequest });
      expect(job.constraints).toEqual(constraints);
      expect(job.ttl_seconds).toBe(ttl);
      expect(Date.parse(res.body.estimated_completion) - job.requested_at.getTime()).toBe(runSeconds * 1000);
      const view = await api.job(res.body.job_id).expect(200);
      expect(view.body.payload).toEqual(job.payload);
      expect(Date.parse(view.body.expires_at) - Date.parse(view.body.requested_at)).toBe(ttl * 1000);
    });
  });

  describe('each bound and enum violated → 422 naming the field', () => {
    const MANY = 'x'.repeat(100_001);
    it.each([
      ['whisper/transcribe', {}, 'audio_url'],
      ['whisper/transcribe', { audio_url: 'ftp://media.example/a.mp3' }, 'audio_url'],
      ['whisper/transcribe', { audio_url: 'not a url' }, 'audio_url'],
      ['whisper/transcribe', { audio_url: AUDIO, model: 'huge' }, 'model'],
      ['whisper/transcribe', { audio_url: AUDIO, model: null }, 'model'],
      ['whisper/transcribe', { audio_url: AUDIO, language: 'english' }, 'language'],
      ['whisper/transcribe', { audio_url: AUDIO, output_format: 'docx' }, 'output_format'],
      ['whisper/transcribe', { audio_url: AUDIO, temperature: 1.5 }, 'temperature'],
      ['whisper/transcribe', { audio_url: AUDIO, temperature: -0.1 }, 'temperature'],
      ['whisper/transcribe', { audio_url: LONG_URL }, 'audio_url'],
      ['whisper/transcribe', { audio_url: AUDIO, word_timestamps: 'yes' }, 'word_timestamps'],
      ['whisper/transcribe', { audio_url: AUDIO, initial_prompt: 'x'.repeat(2001) }, 'initial_prompt'],
      ['whisper/translate', { audio_url: AUDIO, task: 'transcribe' }, 'task'],
      ['stable-diffusion/generate', {}, 'prompt'],
      ['stable-diffusion/generate', { prompt: '' }, 'prompt'],
      ['stable-diffusion/generate', { prompt: 'x'.repeat(4001) }, 'prompt'],
      ['stable-diffusion/generate', { prompt: 'p', negative_prompt: 'x'.repeat(4001) }, 'negative_prompt'],
      ['stable-diffusion/generate', { prompt: 'p', model: 'midjourney' }, 'model'],
      ['stable-diffusion/generate', { prompt: 'p', width: 516 }, 'width'],
      ['stable-diffusion/generate', { prompt: 'p', width: 128 }, 'width'],
      ['stable-diffusion/generate', { prompt: 'p', width: 2056 }, 'width'],
      ['stable-diffusion/generate', { prompt: 'p', height: 4096 }, 'height'],
      ['stable-diffusion/generate', { prompt: 'p', height: 248 }, 'height'],
      ['stable-diffusion/generate', { prompt: 'p', steps: 0 }, 'steps'],
      ['stable-diffusion/generate', { prompt: 'p', steps: 151 }, 'steps'],
      ['stable-diffusion/generate', { prompt: 'p', guidance_scale: 31 }, 'guidance_scale'],
      ['stable-diffusion/generate', { prompt: 'p', guidance_scale: -0.5 }, 'guidance_scale'],
      ['stable-diffusion/generate', { prompt: 'p', scheduler: 'karras' }, 'scheduler'],
      ['stable-diffusion/generate', { prompt: 'p', seed: -1 }, 'seed'],
      ['stable-diffusion/generate', { prompt: 'p', seed: 4_294_967_296 }, 'seed'],
      ['stable-diffusion/generate', { prompt: 'p', num_images: 5 }, 'num_images'],
      ['stable-diffusion/generate', { prompt: 'p', num_images: 0 }, 'num_images'],
      ['stable-diffusion/generate', { prompt: 'p', init_image_url: IMAGE }, 'init_image_url'],
      ['stable-diffusion/img2img', { prompt: 'p' }, 'init_image_url'],
      ['stable-diffusion/img2img', { prompt: 'p', init_image_url: IMAGE, strength: 1.5 }, 'strength'],
      ['stable-diffusion/img2img', { prompt: 'p', init_image_url: IMAGE, strength: -0.1 }, 'strength'],
      ['stable-diffusion/img2img', { prompt: 'p', init_image_url: 'not a url' }, 'init_image_url'],
      ['stable-diffusion/img2img', { prompt: 'p', init_image_url: 'file:///etc/passwd' }, 'init_image_url'],
      ['llm/inference', { prompt: 'Hi!' }, 'model'],
      ['llm/inference', { model: '', prompt: 'Hi!' }, 'model'],
      ['llm/inference', { model: 'llama 3', prompt: 'Hi!' }, 'model'],
      ['llm/inference', { model: 'm'.repeat(257), prompt: 'Hi!' }, 'model'],
      ['llm/inference', { model: 'llama3.2:latest' }, 'prompt'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: '' }, 'prompt'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: MANY }, 'prompt'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', max_tokens: 0 }, 'max_tokens'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', max_tokens: 8193 }, 'max_tokens'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', max_tokens: 1.5 }, 'max_tokens'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', max_tokens: '512' }, 'max_tokens'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', temperature: 2.1 }, 'temperature'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', temperature: -0.1 }, 'temperature'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', top_p: 1.1 }, 'top_p'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', top_p: -0.1 }, 'top_p'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', system: 42 }, 'system'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', system: MANY }, 'system'],
      ['llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!', stream: true }, 'stream'],
      [
        'llm/stream',
        { model: 'llama3.2:latest', prompt: 'Hi!', job: { payment_amount: 'lots' } },
        'job.payment_amount',
      ],
      ['llm/stream', { model: 'llama3.2:latest', prompt: 'Hi!', job: { priority: 101 } }, 'job.priority'],
      ['llm/stream', { model: 'llama3.2:latest', prompt: 'Hi!', job: { ttl_seconds: 60 } }, 'job.ttl_seconds'],
      ['llm/stream', { model: 'llama3.2:latest', prompt: 'Hi!', job: [{ payment_amount: '1' }] }, 'job'],
      ['llm/stream', { model: 'llama3.2:latest', prompt: 'Hi!', job: 'urgent' }, 'job'],
      ['ffmpeg/transcode', {}, 'input_url'],
      ['ffmpeg/transcode', { input_url: 'not a url' }, 'input_url'],
      ['ffmpeg/transcode', { input_url: 'ftp://media.example/talk.mov' }, 'input_url'],
      ['ffmpeg/transcode', { input_url: VIDEO, output_format: 'avi' }, 'output_format'],
      ['ffmpeg/transcode', { input_url: VIDEO, video_codec: 'mpeg2' }, 'video_codec'],
      ['ffmpeg/transcode', { input_url: VIDEO, audio_codec: 'vorbis' }, 'audio_codec'],
      ['ffmpeg/transcode', { input_url: VIDEO, output_format: 'webm', video_codec: 'h264' }, 'video_codec'],
      ['ffmpeg/transcode', { input_url: VIDEO, output_format: 'mp3', audio_codec: 'aac' }, 'audio_codec'],
      ['ffmpeg/transcode', { input_url: VIDEO, video_codec: 'vp9', hardware_acceleration: true }, 'video_codec'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '1280*720' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '1x1' }, 'resolution'],
      // the shipped miner encodes in 4:2:0 (even sides) up to 8K, and refuses anything else for good
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '1281x720' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '1280x721' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '7682x4320' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '7680x4322' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '99999x99999' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, resolution: '0640x360' }, 'resolution'],
      ['ffmpeg/transcode', { input_url: VIDEO, video_bitrate: '2 M' }, 'video_bitrate'],
      ['ffmpeg/transcode', { input_url: VIDEO, audio_bitrate: '128kbps' }, 'audio_bitrate'],
      // the miner's allow-list passes at most 6 digits and 3 decimals to ffmpeg
      ['ffmpeg/transcode', { input_url: VIDEO, video_bitrate: '1234567k' }, 'video_bitrate'],
      ['ffmpeg/transcode', { input_url: VIDEO, video_bitrate: '1.2345M' }, 'video_bitrate'],
      ['ffmpeg/transcode', { input_url: VIDEO, audio_bitrate: '1234567k' }, 'audio_bitrate'],
      ['ffmpeg/transcode', { input_url: VIDEO, audio_bitrate: '128m' }, 'audio_bitrate'],
      ['ffmpeg/transcode', { input_url: VIDEO, fps: 0 }, 'fps'],
      ['ffmpeg/transcode', { input_url: VIDEO, fps: 241 }, 'fps'],
      ['ffmpeg/transcode', { input_url: VIDEO, crf: -1 }, 'crf'],
      ['ffmpeg/transcode', { input_url: VIDEO, crf: 52 }, 'crf'],
      ['ffmpeg/transcode', { input_url: VIDEO, preset: 'fastest' }, 'preset'],
      ['ffmpeg/transcode', { input_url: VIDEO, hardware_acceleration: 1 }, 'hardware_acceleration'],
      ['blender/render', {}, 'blend_file_url'],
      ['blender/render', { blend_file_url: 'not a url' }, 'blend_file_url'],
      ['blender/render', { blend_file_url: BLEND, frame_start: 1_048_575 }, 'frame_start'],
      ['blender/render', { blend_file_url: BLEND, frame_start: 0, frame_end: -1 }, 'frame_end'],
      ['blender/render', { blend_file_url: BLEND, frame_start: 10, frame_end: 9 }, 'frame_end'],
      ['blender/render', { blend_file_url: BLEND, frame_start: 1, frame_end: 2881 }, 'frame_end'],
      ['blender/render', { blend_file_url: BLEND, frame_start: -1 }, 'frame_start'],
      ['blender/render', { blend_file_url: BLEND, engine: 'workbench' }, 'engine'],
      ['blender/render', { blend_file_url: BLEND, resolution_x: 8 }, 'resolution_x'],
      ['blender/render', { blend_file_url: BLEND, resolution_x: 16385 }, 'resolution_x'],
      ['blender/render', { blend_file_url: BLEND, resolution_y: 16385 }, 'resolution_y'],
      ['blender/render', { blend_file_url: BLEND, resolution_y: 15 }, 'resolution_y'],
      ['blender/render', { blend_file_url: BLEND, samples: 0 }, 'samples'],
      ['blender/render', { blend_file_url: BLEND, samples: 4097 }, 'samples'],
      ['blender/render', { blend_file_url: BLEND, output_format: 'bmp' }, 'output_format'],
    ])('%s %j', async (route, body, field) => {
      const res = await post(route, body).expect(422);
      expect(res.body).toEqual(envelope(422, 'VALIDATION_FAILED', expect.any(String), expect.any(Array)));
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('explains cross-field rules in their own words', async () => {
      const frames = await post('blender/render', { blend_file_url: BLEND, frame_start: 10, frame_end: 9 }).expect(422);
      expect(frames.body.error.details).toEqual([
        { field: 'frame_end', message: 'frame_end must not be less than frame_start', code: 'frameOrder' },
      ]);
      const webm = await post('ffmpeg/transcode', { input_url: VIDEO, output_format: 'webm', audio_codec: 'aac' });
      expect(webm.body.error.details).toEqual([
        { field: 'audio_codec', message: 'webm holds audio in opus, copy only', code: 'containerCodec' },
      ]);
    });

    it.each(ROUTES)('%s: malformed, non-object and deeply nested bodies → 422, never 500', async (route) => {
      const raw = (text: string) =>
        api.http
          .post(`/v1/services/${route}`)
          .set('X-Api-Key', TEST_KEYS.client)
          .set('Content-Type', 'application/json')
          .send(text);
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      for (const text of ['{"prompt":', '[]', '[1,2]', '"text"', '42', 'null', `{"junk": ${deep}}`]) {
        const res = await raw(text);
        expect([text.slice(0, 20), res.status]).toEqual([text.slice(0, 20), 422]);
      }
    });
  });

  it.each(ROUTES)('%s: no key → 401, a miner key → 403, before the body is read', async (route) => {
    expect((await post(route, {}, null).expect(401)).body).toEqual(
      envelope(401, 'UNAUTHORIZED', 'missing API key: send X-Api-Key'),
    );
    expect((await post(route, {}, 'not-a-key').expect(401)).body.error.code).toBe('UNAUTHORIZED');
    expect((await post(route, MINIMAL[route], TEST_KEYS.miner).expect(403)).body.error.code).toBe('FORBIDDEN');
  });

  it('replays an Idempotency-Key with the same body and refuses it with another', async () => {
    const key = `svc-${randomBytes(6).toString('hex')}`;
    const first = await post('llm/inference', MINIMAL['llm/inference']).set('Idempotency-Key', key).expect(201);
    const again = await post('llm/inference', { prompt: 'Hi!', model: 'llama3.2:latest' })
      .set('Idempotency-Key', key)
      .expect(200);
    expect(again.body).toEqual(first.body);
    const other = await post('llm/stream', MINIMAL['llm/stream']).set('Idempotency-Key', key).expect(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('holds the payment and applies placement options through the one submit path', async () => {
    await api.http
      .post('/v1/admin/accounts/client%3Abob/deposit')
      .set('X-Api-Key', TEST_KEYS.admin)
      .send({ amount: '1' })
      .expect(200);
    const res = await post(
      'ffmpeg/transcode',
      {
        ...MINIMAL['ffmpeg/transcode'],
        job: { payment_amount: '0.25', priority: 7, region: 'eu-west', max_price: '0.05' },
      },
      BOB_KEY,
    ).expect(201);
    const view = await api.job(res.body.job_id, BOB_KEY).expect(200);
    expect(view.body).toMatchObject({ payment_status: 'held', payment_id: expect.any(String) });
    expect(view.body.payload.service_request).not.toHaveProperty('job');
    const job = await stored(res.body.job_id);
    expect(job.constraints).toEqual({ services: ['ffmpeg'], region: 'eu-west', max_price: '0.05' });
    const { rows } = await pool.query('SELECT priority FROM job_views WHERE job_id = $1', [res.body.job_id]);
    expect(rows[0].priority).toBe(7);
    const broke = await post(
      'ffmpeg/transcode',
      { ...MINIMAL['ffmpeg/transcode'], job: { payment_amount: '5' } },
      BOB_KEY,
    );
    expect(broke.body).toEqual(envelope(402, 'PAYMENT_REQUIRED', 'payment_amount exceeds the balance'));
  });

  it('hands typed jobs to the miners that can run them, and only to those', async () => {
    await clearDispatch(pool);
    const tag = randomBytes(3).toString('hex');
    const cpuOnly = `cpu-ffmpeg-${tag}`;
    const smallGpu = `small-gpu-${tag}`;
    const bigGpu = `big-gpu-${tag}`;
    await api.register(cpuOnly, {
      capabilities: capabilities({ gpus: [], cuda: undefined, models: [], services: ['ffmpeg'] }),
    });
    const llmCapabilities = (memory_mb: number) =>
      capabilities({
        gpus: [{ name: 'NVIDIA GeForce RTX', vendor: 'NVIDIA', memory_mb }],
        models: ['llama3.2:latest', 'llama3.1:8b'],
        services: ['llm_inference'],
      });
    await api.register(smallGpu, { capabilities: llmCapabilities(4096) });
    await api.register(bigGpu, { capabilities: llmCapabilities(8192) });
    const ffmpegJob = (await post('ffmpeg/transcode', MINIMAL['ffmpeg/transcode']).expect(201)).body.job_id;
    const bigJob = (await post('llm/inference', { model: 'llama3.1:8b', prompt: 'Hi!' }).expect(201)).body.job_id;
    const smallJob = (await post('llm/inference', MINIMAL['llm/inference']).expect(201)).body.job_id;

    const polled = await api.poll(cpuOnly).expect(200);
    expect(polled.body).toMatchObject({
      job_id: ffmpegJob,
      payload: { service_type: 'ffmpeg', service_request: expect.objectContaining({ input_url: VIDEO }) },
      constraints: { services: ['ffmpeg'] },
    });
    await api.poll(cpuOnly).expect(204);
    // 4 GB is too little for an 8b model: the small GPU gets the llama3.2:latest job behind it
    expect((await api.poll(smallGpu).expect(200)).body.job_id).toBe(smallJob);
    await api.poll(smallGpu).expect(204);
    const big = await api.poll(bigGpu).expect(200);
    expect(big.body).toMatchObject({
      job_id: bigJob,
      constraints: { services: ['llm_inference'], models: ['llama3.1:8b'], min_vram_gb: 6.2 },
    });
  });

  it('accepts the largest resolution and bitrates the shipped miner passes to ffmpeg', async () => {
    const body = { input_url: VIDEO, resolution: '7680x4320', video_bitrate: '999999k', audio_bitrate: '1.234M' };
    const res = await post('ffmpeg/transcode', body).expect(201);
    expect((await stored(res.body.job_id)).payload.service_request).toMatchObject(body);
  });

  it('tags a tagless LLM model as Ollama does, so a miner advertising llama3.2:latest runs it', async () => {
    await clearDispatch(pool);
    const miner = `tagged-${randomBytes(3).toString('hex')}`;
    await api.register(miner, {
      capabilities: capabilities({
        gpus: [],
        cuda: undefined,
        models: ['llama3.2:latest'],
        services: ['llm_inference'],
      }),
      concurrency: 3,
    });
    const typed = (await post('llm/inference', { model: 'llama3.2', prompt: 'Hi!' }).expect(201)).body.job_id;
    const job = await stored(typed);
    expect(job.constraints).toEqual({ services: ['llm_inference'], models: ['llama3.2:latest'] });
    // the miner hands the name to Ollama, which reads both forms alike: the request keeps what the client sent
    expect(job.payload.service_request).toMatchObject({ model: 'llama3.2' });
    const generic = await api.submitOk({ payload: { type: 'inference', model: 'llama3.2', prompt: 'Hi!' } });
    const constrained = await api.submitOk({ payload: { type: 'custom' }, constraints: { models: ['llama3.2'] } });
    const { rows } = await pool.query<{ job_id: string; models: string[] }>(
      'SELECT job_id, models FROM job_queue WHERE job_id = ANY($1) ORDER BY job_id',
      [[typed, generic, constrained]],
    );
    const all = [typed, generic, constrained].sort();
    expect(rows).toEqual(all.map((job_id) => ({ job_id, models: ['llama3.2:latest'] })));
    const polled: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      polled.push((await api.poll(miner).expect(200)).body.job_id);
    }
    expect(polled.sort()).toEqual(all);
    await api.poll(miner).expect(204);
  });

  it('documents every typed body in Swagger with examples', async () => {
    const doc = (await api.http.get('/openapi.json').expect(200)).body;
    for (const route of ROUTES) {
      const operation = doc.paths[`/v1/services/${route}`]?.post;
      expect(operation).toBeDefined();
      const body = operation.requestBody.content['application/json'];
      expect(Object.keys(body.examples)).toEqual(['minimal', 'full']);
      const schemaName = (body.schema.$ref as string).split('/').pop()!;
      expect(Object.keys(doc.components.schemas[schemaName].properties)).toContain('job');
      expect(operation.responses['201'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/ServiceJobResponseDto',
      );
    }
    expect(doc.paths['/v1/services'].get).toBeDefined();
    expect(doc.components.schemas.LlmRequestDto.properties.max_tokens).toMatchObject({
      default: 512,
      minimum: 1,
      maximum: 8192,
    });
  });
});
