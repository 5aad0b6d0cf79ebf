import {
  type BlenderRenderRequestDto,
  type FfmpegFormat,
  FFMPEG_CONTAINERS,
  type FfmpegTranscodeRequestDto,
  type JobConstraintsDto,
  type LlmRequestDto,
  type ServiceBodyDto,
  type ServiceTypeName,
  type StableDiffusionImg2ImgRequestDto,
  type StableDiffusionRequestDto,
  type SubmitJobDto,
  type WhisperRequestDto,
  withModelTag,
} from '@aitbc/contracts';
import {
  BLENDER,
  BLENDER_TTL,
  FFMPEG,
  type HardwareNeed,
  LLM,
  llmHardware,
  SERVICE_TTL_SECONDS,
  STABLE_DIFFUSION,
  WHISPER,
} from '../service-types/service-types';

/** A typed endpoint's validated body, named by its route under `/v1/services/`. */
export type ServiceJobRequest =
  | { route: 'whisper/transcribe' | 'whisper/translate'; body: WhisperRequestDto }
  | { route: 'stable-diffusion/generate'; body: StableDiffusionRequestDto }
  | { route: 'stable-diffusion/img2img'; body: StableDiffusionImg2ImgRequestDto }
  | { route: 'llm/inference' | 'llm/stream'; body: LlmRequestDto }
  | { route: 'ffmpeg/transcode'; body: FfmpegTranscodeRequestDto }
  | { route: 'blender/render'; body: BlenderRenderRequestDto };

export type ServiceRoute = ServiceJobRequest['route'];

/** The job a typed request becomes, and how long it typically runs once a miner has it. */
export interface ServiceJob {
  service_type: ServiceTypeName;
  submit: SubmitJobDto;
  run_seconds: number;
}

/** What one service makes of its body: the miner's request (defaults filled in), needs, TTL and run time. */
interface ServiceSpec {
  service_type: ServiceTypeName;
  request: Record<string, unknown>;
  hardware: HardwareNeed;
  models?: string[];
  ttl_seconds: number;
  run_seconds: number;
}

/**
 * Turns a typed request into the job `POST /v1/jobs` would create: payload
 * `{service_type, service_request}`, constraints a real miner can meet, the service's queue TTL.
 */
export function serviceJob(request: ServiceJobRequest): ServiceJob {
  const spec = serviceSpec(request);
  const options = request.body.job ?? {};
  const { service_type, request: service_request, hardware, models } = spec;
  const constraints: JobConstraintsDto = definedOnly({
    services: [service_type],
    models,
    gpu: hardware.gpu_vendor ?? undefined,
    min_vram_gb: hardware.min_vram_gb ?? undefined,
    cuda: hardware.min_cuda ?? undefined,
    region: options.region,
    max_price: options.max_price,
  });
  return {
    service_type,
    run_seconds: spec.run_seconds,
    submit: definedOnly({
      payload: { service_type, service_request },
      constraints,
      ttl_seconds: spec.ttl_seconds,
      payment_amount: options.payment_amount,
      priority: options.priority,
      webhook_url: options.webhook_url,
    }),
  };
}

function serviceSpec(request: ServiceJobRequest): ServiceSpec {
  switch (request.route) {
    case 'whisper/transcribe':
      return whisper(request.body, 'transcribe');
    case 'whisper/translate':
      return whisper(request.body, 'translate');
    case 'stable-diffusion/generate':
    case 'stable-diffusion/img2img':
      return stableDiffusion(request.body);
    case 'llm/inference':
      return llm(request.body, false);
    case 'llm/stream':
      return llm(request.body, true);
    case 'ffmpeg/transcode':
      return ffmpeg(request.body);
    case 'blender/render':
      return blender(request.body);
  }
}

function whisper(body: WhisperRequestDto, task: 'transcribe' | 'translate'): ServiceSpec {
  const { seconds, ...hardware } = WHISPER[body.model];
  return {
    service_type: 'whisper',
    request: { ...fields(body), task },
    hardware,
    ttl_seconds: SERVICE_TTL_SECONDS.whisper,
    run_seconds: seconds,
  };
}

function stableDiffusion(body: StableDiffusionRequestDto | StableDiffusionImg2ImgRequestDto): ServiceSpec {
  const { size, steps, guidance, secondsPerStep, ...hardware } = STABLE_DIFFUSION[body.model];
  const request = {
    ...fields(body),
    width: body.width ?? size,
    height: body.height ?? size,
    steps: body.steps ?? steps,
    guidance_scale: body.guidance_scale ?? guidance,
  };
  const pixels = (request.width * request.height) / (size * size);
  return {
    service_type: 'stable_diffusion',
    request,
    hardware,
    ttl_seconds: SERVICE_TTL_SECONDS.stable_diffusion,
    run_seconds: 10 + Math.ceil(request.steps * request.num_images * secondsPerStep * pixels),
  };
}

function llm(body: LlmRequestDto, stream: boolean): ServiceSpec {
  // Miners advertise tagged names (Ollama's /api/tags). The request keeps the name as sent: Ollama reads both alike.
  const model = withModelTag(body.model);
  return {
    service_type: 'llm_inference',
    request: { ...fields(body), stream },
    hardware: llmHardware(model),
    models: [model],
    ttl_seconds: SERVICE_TTL_SECONDS.llm_inference,
    run_seconds: LLM.loadSeconds + Math.ceil(body.max_tokens / LLM.tokensPerSecond),
  };
}

/**
 * The audio codec a format gets when the body names none: what its container holds best. wav gets
 * none, so the miner writes PCM (its usual content, which the codec list cannot name).
 */
const DEFAULT_AUDIO: Record<FfmpegFormat, FfmpegTranscodeRequestDto['audio_codec']> = {
  mp4: 'aac',
  mkv: 'aac',
  mov: 'aac',
  webm: 'opus',
  ogg: 'opus',
  mp3: 'mp3',
  flac: 'flac',
  wav: undefined,
};

function ffmpeg(body: FfmpegTranscodeRequestDto): ServiceSpec {
  const holdsVideo = FFMPEG_CONTAINERS[body.output_format].video !== null;
  // NVENC has no vp9 encoder: a hardware-accelerated webm gets av1
  const webmVideo = body.hardware_acceleration ? 'av1' : 'vp9';
  const videoCodec = holdsVideo
    ? (body.video_codec ?? (body.output_format === 'webm' ? webmVideo : 'h264'))
    : undefined;
  // Only a video encode uses NVENC: audio, or video passed through, needs no GPU whatever the body asks.
  const encodesOnGpu = body.hardware_acceleration === true && videoCodec !== undefined && videoCodec !== 'copy';
  const { seconds, ...hardware } = encodesOnGpu ? FFMPEG.nvenc : FFMPEG.cpu;
  return {
    service_type: 'ffmpeg',
    request: definedOnly({
      ...fields(body),
      // audio-only containers carry no video: a video_codec the body sent would only be ignored
      video_codec: videoCodec,
      audio_codec: body.audio_codec ?? DEFAULT_AUDIO[body.output_format],
    }),
    hardware,
    ttl_seconds: SERVICE_TTL_SECONDS.ffmpeg,
    run_seconds: seconds,
  };
}

function blender(body: BlenderRenderRequestDto): ServiceSpec {
  const { secondsPerFrame, ...hardware } = BLENDER[body.engine];
  const frameEnd = body.frame_end ?? body.frame_start;
  const frames = frameEnd - body.frame_start + 1;
  return {
    service_type: 'blender',
    request: { ...fields(body), frame_end: frameEnd },
    hardware,
    ttl_seconds: Math.max(BLENDER_TTL.minSeconds, frames * BLENDER_TTL.secondsPerFrame),
    run_seconds: frames * secondsPerFrame,
  };
}

/** The service's own fields of a body: without the job options and without absent optionals. */
function fields<T extends ServiceBodyDto>(body: T): Omit<T, 'job'> {
  const { job: _job, ...rest } = body;
  return definedOnly(rest);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
