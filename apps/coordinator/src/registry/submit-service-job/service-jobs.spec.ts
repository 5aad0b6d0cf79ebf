import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  BlenderRenderRequestDto,
  FfmpegTranscodeRequestDto,
  LlmRequestDto,
  StableDiffusionImg2ImgRequestDto,
  StableDiffusionRequestDto,
  WhisperRequestDto,
} from '@aitbc/contracts';
import { loadConfig } from '../../config';
import { loadCatalogueFiles } from '../catalogue-files';
import { ServiceCatalogue } from '../service-catalogue';
import { type ServiceJobRequest, type ServiceRoute, serviceJob } from './service-jobs';
import { SERVICE_EXAMPLES } from './submit-service-job.examples';

const BODIES: Record<ServiceRoute, new () => object> = {
  'whisper/transcribe': WhisperRequestDto,
  'whisper/translate': WhisperRequestDto,
  'stable-diffusion/generate': StableDiffusionRequestDto,
  'stable-diffusion/img2img': StableDiffusionImg2ImgRequestDto,
  'llm/inference': LlmRequestDto,
  'llm/stream': LlmRequestDto,
  'ffmpeg/transcode': FfmpegTranscodeRequestDto,
  'blender/render': BlenderRenderRequestDto,
};
const ROUTES = Object.keys(BODIES) as ServiceRoute[];

/** A body as the validation pipe hands it over: an instance with the DTO's defaults, checked. */
function request(route: ServiceRoute, plain: Record<string, unknown>): ServiceJobRequest {
  const body = plainToInstance(BODIES[route], plain);
  const errors = validateSync(body, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new Error(
      `${route} ${JSON.stringify(plain)}: ${errors.map((e) => JSON.stringify(e.constraints)).join('; ')}`,
    );
  }
  return { route, body } as ServiceJobRequest;
}

describe('serviceJob', () => {
  it('makes a minimal llm/inference body a job for a miner with the model', () => {
    expect(serviceJob(request('llm/inference', { model: 'llama3.2:latest', prompt: 'Hi!' }))).toEqual({
      service_type: 'llm_inference',
      run_seconds: 26,
      submit: {
        payload: {
          service_type: 'llm_inference',
          service_request: {
            model: 'llama3.2:latest',
            prompt: 'Hi!',
            max_tokens: 512,
            temperature: 0.7,
            top_p: 0.9,
            stream: false,
          },
        },
        constraints: { services: ['llm_inference'], models: ['llama3.2:latest'] },
        ttl_seconds: 300,
      },
    });
  });

  it('makes a minimal ffmpeg/transcode body a CPU job, and NVENC a GPU one', () => {
    const url = 'https://media.example/talk.mov';
    expect(serviceJob(request('ffmpeg/transcode', { input_url: url }))).toEqual({
      service_type: 'ffmpeg',
      run_seconds: 120,
      submit: {
        payload: {
          service_type: 'ffmpeg',
          service_request: {
            input_url: url,
            output_format: 'mp4',
            video_codec: 'h264',
            audio_codec: 'aac',
            crf: 23,
            preset: 'medium',
            hardware_acceleration: false,
          },
        },
        constraints: { services: ['ffmpeg'] },
        ttl_seconds: 1800,
      },
    });
    const nvenc = serviceJob(request('ffmpeg/transcode', { input_url: url, hardware_acceleration: true }));
    expect(nvenc.submit.constraints).toEqual({ services: ['ffmpeg'], gpu: 'nvidia' });
  });

  it.each([
    ['mp4', 'h264', 'aac'],
    ['mkv', 'h264', 'aac'],
    ['mov', 'h264', 'aac'],
    ['webm', 'vp9', 'opus'],
    ['ogg', undefined, 'opus'],
    ['mp3', undefined, 'mp3'],
    ['flac', undefined, 'flac'],
    ['wav', undefined, undefined],
  ])('gives %s the codecs its container holds (%s, %s)', (output_format, video, audio) => {
    const job = serviceJob(request('ffmpeg/transcode', { input_url: 'https://m.example/a', output_format }));
    const serviceRequest = job.submit.payload.service_request as Record<string, unknown>;
    expect([serviceRequest.video_codec, serviceRequest.audio_codec]).toEqual([video, audio]);
    expect('video_codec' in serviceRequest).toBe(video !== undefined);
    expect('audio_codec' in serviceRequest).toBe(audio !== undefined);
  });

  it.each<[Record<string, string>, string]>([
    [{ output_format: 'mp3' }, 'audio only'],
    [{ output_format: 'ogg', video_codec: 'h264' }, 'a video codec an audio-only format ignores'],
    [{ output_format: 'mkv', video_codec: 'copy' }, 'video passed through'],
  ])('asks no GPU for hardware_acceleration with nothing to encode on it: %j (%s)', (body) => {
    const job = serviceJob(
      request('ffmpeg/transcode', { input_url: 'https://m.example/a', hardware_acceleration: true, ...body }),
    );
    expect(job.submit.constraints).toEqual({ services: ['ffmpeg'] });
    expect('video_codec' in (job.submit.payload.service_request as Record<string, unknown>)).toBe(
      body.output_format === 'mkv',
    );
  });

  it('grows a render’s TTL with its frames: max(600, frames × 30)', () => {
    const ttl = (frames: Record<string, unknown>) =>
      serviceJob(request('blender/render', { blend_file_url: 'https://m.example/s.blend', ...frames })).submit
        .ttl_seconds;
    expect(ttl({})).toBe(600);
    expect(ttl({ frame_start: 1, frame_end: 20 })).toBe(600);
    expect(ttl({ frame_start: 1, frame_end: 21 })).toBe(630);
    expect(ttl({ frame_start: 0, frame_end: 2879 })).toBe(86400);
  });

  it('asks VRAM by model size and the PyTorch CUDA minimum of whisper and diffusion', () => {
    const constraints = (route: ServiceRoute, body: Record<string, unknown>) =>
      serviceJob(request(route, body)).submit.constraints;
    const audio = 'https://m.example/a.mp3';
    expect(constraints('whisper/transcribe', { audio_url: audio, model: 'tiny' })).toEqual({
      services: ['whisper'],
      gpu: 'nvidia',
      min_vram_gb: 1,
      cuda: '11.8',
    });
    expect(constraints('whisper/translate', { audio_url: audio, model: 'large-v3' })).toMatchObject({
      min_vram_gb: 10,
    });
    expect(constraints('stable-diffusion/generate', { prompt: 'p' })).toMatchObject({ min_vram_gb: 4 });
    expect(constraints('stable-diffusion/generate', { prompt: 'p', model: 'sdxl-base-1.0' })).toMatchObject({
      min_vram_gb: 7.5,
    });
    expect(constraints('llm/stream', { model: 'qwen2.5:72b', prompt: 'p' })).toEqual({
      services: ['llm_inference'],
      models: ['qwen2.5:72b'],
      min_vram_gb: 47.8,
    });
  });

  it('tags a tagless model as Ollama does, in the constraint only: miners advertise llama3.2:latest', () => {
    const job = serviceJob(request('llm/inference', { model: 'llama3.2', prompt: 'Hi!' }));
    expect(job.submit.constraints).toEqual({ services: ['llm_inference'], models: ['llama3.2:latest'] });
    expect(job.submit.payload.service_request).toMatchObject({ model: 'llama3.2' });
  });

  it('keeps job options out of the service request and puts them on the job', () => {
    const job = serviceJob(
      request('llm/inference', {
        model: 'llama3.2:latest',
        prompt: 'Hi!',
        job: { payment_amount: '0.25', priority: 3, webhook_url: 'https://c.example/h', region: 'eu', max_price: '1' },
      }),
    );
    expect(job.submit).toMatchObject({
      payment_amount: '0.25',
      priority: 3,
      webhook_url: 'https://c.example/h',
      constraints: { services: ['llm_inference'], models: ['llama3.2:latest'], region: 'eu', max_price: '1' },
    });
    expect(job.submit.payload.service_request).not.toHaveProperty('job');
  });

  describe('agrees with the registry', () => {
    const catalogue = new ServiceCatalogue(loadCatalogueFiles(loadConfig({}).registryDir));

    it.each(ROUTES)('%s: every Swagger example is valid and its service request passes the registry', (route) => {
      for (const { value } of Object.values(SERVICE_EXAMPLES[route])) {
        const job = serviceJob(request(route, value));
        expect(catalogue.validate(job.service_type, job.submit.payload.service_request)).toEqual({
          valid: true,
          errors: [],
          warnings: [],
        });
      }
    });

    it('names in the registry exactly the fields the typed endpoints send', () => {
      const sent = new Map<string, Set<string>>();
      for (const route of ROUTES) {
        for (const { value } of Object.values(SERVICE_EXAMPLES[route])) {
          const job = serviceJob(request(route, value));
          const fields = sent.get(job.service_type) ?? new Set<string>();
          Object.keys(job.submit.payload.service_request as object).forEach((field) => fields.add(field));
          sent.set(job.service_type, fields);
        }
      }
      for (const [service, fields] of sent) {
        const parameters = catalogue.get(service).input_parameters.map((p) => p.name);
        expect([service, [...fields].sort()]).toEqual([service, [...parameters].sort()]);
      }
    });
  });
});
