import {
  BLENDER_ENGINES,
  BLENDER_OUTPUT_FORMATS,
  type BlenderEngine,
  FFMPEG_AUDIO_CODECS,
  FFMPEG_FORMATS,
  FFMPEG_PRESETS,
  FFMPEG_VIDEO_CODECS,
  SD_MODELS,
  SD_SCHEDULERS,
  type ServiceHardwareDto,
  type ServiceTypeDto,
  type StableDiffusionModel,
  WHISPER_MODELS,
  WHISPER_OUTPUT_FORMATS,
  type WhisperModel,
} from '@aitbc/contracts';
import { llmVramGb } from './model-size';

/** What a job asks of its miner beyond the service itself; the dispatcher matches each field. */
export type HardwareNeed = Omit<ServiceHardwareDto, 'variant'>;

const NO_HARDWARE: HardwareNeed = { gpu_vendor: null, min_vram_gb: null, min_cuda: null };

/** PyTorch's CUDA builds start at 11.8; whisper and diffusers run on them. */
const PYTORCH_CUDA = '11.8';

/** openai/whisper's published VRAM needs; seconds for a typical few-minute clip. */
export const WHISPER: Record<WhisperModel, HardwareNeed & { seconds: number }> = {
  tiny: { gpu_vendor: 'nvidia', min_vram_gb: 1, min_cuda: PYTORCH_CUDA, seconds: 20 },
  base: { gpu_vendor: 'nvidia', min_vram_gb: 1, min_cuda: PYTORCH_CUDA, seconds: 30 },
  small: { gpu_vendor: 'nvidia', min_vram_gb: 2, min_cuda: PYTORCH_CUDA, seconds: 60 },
  medium: { gpu_vendor: 'nvidia', min_vram_gb: 5, min_cuda: PYTORCH_CUDA, seconds: 120 },
  'large-v3': { gpu_vendor: 'nvidia', min_vram_gb: 10, min_cuda: PYTORCH_CUDA, seconds: 240 },
};

interface DiffusionModel extends HardwareNeed {
  /** native square size in pixels */
  size: number;
  steps: number;
  guidance: number;
  /** seconds per step at the native size on a mid-range GPU */
  secondsPerStep: number;
}

/** fp16 weights; SDXL and SD 3.5 need twice the memory of SD 1.5 and more. */
export const STABLE_DIFFUSION: Record<StableDiffusionModel, DiffusionModel> = {
  'sd-1.5': { ...diffusion(4), size: 512, steps: 30, guidance: 7.5, secondsPerStep: 0.1 },
  'sd-2.1': { ...diffusion(5), size: 768, steps: 30, guidance: 7.5, secondsPerStep: 0.15 },
  'sdxl-base-1.0': { ...diffusion(7.5), size: 1024, steps: 30, guidance: 7.5, secondsPerStep: 0.3 },
  'sdxl-turbo': { ...diffusion(7.5), size: 512, steps: 4, guidance: 0, secondsPerStep: 0.1 },
  'sd-3.5-medium': { ...diffusion(9.5), size: 1024, steps: 40, guidance: 4.5, secondsPerStep: 0.35 },
};

function diffusion(minVramGb: number): HardwareNeed {
  return { gpu_vendor: 'nvidia', min_vram_gb: minVramGb, min_cuda: PYTORCH_CUDA };
}

/** Cycles renders through CUDA/OptiX; EEVEE needs a GPU of any vendor. Seconds per frame, typical. */
export const BLENDER: Record<BlenderEngine, HardwareNeed & { secondsPerFrame: number }> = {
  cycles: { gpu_vendor: 'nvidia', min_vram_gb: 4, min_cuda: null, secondsPerFrame: 30 },
  eevee: { gpu_vendor: null, min_vram_gb: 2, min_cuda: null, secondsPerFrame: 5 },
};

/** ffmpeg encodes on the CPU; with hardware acceleration on an NVIDIA GPU (NVENC). */
export const FFMPEG = {
  cpu: { ...NO_HARDWARE, seconds: 120 },
  nvenc: { ...NO_HARDWARE, gpu_vendor: 'nvidia', seconds: 60 },
};

/** LLM runs: model load plus generation at a modest rate. */
export const LLM = { loadSeconds: 5, tokensPerSecond: 25 };

export function llmHardware(model: string): HardwareNeed {
  return { ...NO_HARDWARE, min_vram_gb: llmVramGb(model) };
}

/** Queue TTLs: how long a job of each service waits for a miner. */
export const SERVICE_TTL_SECONDS = { whisper: 900, stable_diffusion: 600, llm_inference: 300, ffmpeg: 1800 };
export const BLENDER_TTL = { minSeconds: 600, secondsPerFrame: 30 };

const LLM_EXAMPLES = [
  'llama3.2:latest',
  'llama3.1:8b',
  'mistral:7b-instruct',
  'qwen2.5:72b',
  'llama3.1:8b-instruct-q8_0',
];

const variants = (table: Record<string, HardwareNeed>): ServiceHardwareDto[] =>
  Object.entries(table).map(([variant, { gpu_vendor, min_vram_gb, min_cuda }]) => ({
    variant,
    gpu_vendor,
    min_vram_gb,
    min_cuda,
  }));

const endpoints = (...paths: string[]) => paths.map((path) => `POST /v1/services/${path}`);

/** `GET /v1/services`: built from the same tables the typed endpoints derive constraints from. */
export const SERVICE_TYPE_LIST: ServiceTypeDto[] = [
  {
    service_type: 'whisper',
    name: 'Whisper speech recognition',
    description: 'Transcribes speech, or translates it into English, with OpenAI Whisper.',
    endpoints: endpoints('whisper/transcribe', 'whisper/translate'),
    options: { models: WHISPER_MODELS, output_formats: WHISPER_OUTPUT_FORMATS },
    hardware: variants(WHISPER),
    ttl_seconds: SERVICE_TTL_SECONDS.whisper,
  },
  {
    service_type: 'stable_diffusion',
    name: 'Stable Diffusion image generation',
    description: 'Generates images from a prompt, or from a prompt and a starting image (img2img).',
    endpoints: endpoints('stable-diffusion/generate', 'stable-diffusion/img2img'),
    options: { models: SD_MODELS, schedulers: SD_SCHEDULERS },
    hardware: variants(STABLE_DIFFUSION),
    ttl_seconds: SERVICE_TTL_SECONDS.stable_diffusion,
  },
  {
    service_type: 'llm_inference',
    name: 'LLM inference',
    description:
      'Text generation on Ollama with any model a miner has. A tag that names a parameter size needs about ' +
      '0.65 GB of VRAM per billion parameters (Q4; more for q8 or fp16) plus 1 GB; other tags need no minimum.',
    endpoints: endpoints('llm/inference', 'llm/stream'),
    options: { models: LLM_EXAMPLES },
    hardware: LLM_EXAMPLES.map((model) => ({ variant: model, ...llmHardware(model) })),
    ttl_seconds: SERVICE_TTL_SECONDS.llm_inference,
  },
  {
    service_type: 'ffmpeg',
    name: 'FFmpeg transcoding',
    description: 'Transcodes audio and video with ffmpeg, on the CPU or (hardware_acceleration) with NVENC.',
    endpoints: endpoints('ffmpeg/transcode'),
    options: {
      output_formats: FFMPEG_FORMATS,
      video_codecs: FFMPEG_VIDEO_CODECS,
      audio_codecs: FFMPEG_AUDIO_CODECS,
      presets: FFMPEG_PRESETS,
    },
    hardware: variants({ cpu: FFMPEG.cpu, hardware_acceleration: FFMPEG.nvenc }),
    ttl_seconds: SERVICE_TTL_SECONDS.ffmpeg,
  },
  {
    service_type: 'blender',
    name: 'Blender rendering',
    description: 'Renders frames of a .blend file with Cycles or EEVEE.',
    endpoints: endpoints('blender/render'),
    options: { engines: BLENDER_ENGINES, output_formats: BLENDER_OUTPUT_FORMATS },
    hardware: variants(BLENDER),
    ttl_seconds: BLENDER_TTL.minSeconds,
    ttl_seconds_per_frame: BLENDER_TTL.secondsPerFrame,
  },
];
