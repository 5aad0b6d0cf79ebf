import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDivisibleBy,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { FFMPEG_BITRATE_PATTERN, FFMPEG_RESOLUTION_PATTERN } from './ffmpeg-limits';
import { JOB_STATES, JobConstraintsDto, type JobStateName, SubmitJobDto } from './jobs.dto';

/**
 * The typed service endpoints' service types. Each is also the string a miner lists in
 * `capabilities.services` and a job's `constraints.services`, and a service id in the registry.
 */
export const SERVICE_TYPES = ['whisper', 'stable_diffusion', 'llm_inference', 'ffmpeg', 'blender'] as const;
export type ServiceTypeName = (typeof SERVICE_TYPES)[number];

export const WHISPER_MODELS = ['tiny', 'base', 'small', 'medium', 'large-v3'] as const;
export type WhisperModel = (typeof WHISPER_MODELS)[number];
export const WHISPER_OUTPUT_FORMATS = ['json', 'text', 'srt', 'vtt', 'tsv'] as const;

export const SD_MODELS = ['sd-1.5', 'sd-2.1', 'sdxl-base-1.0', 'sdxl-turbo', 'sd-3.5-medium'] as const;
export type StableDiffusionModel = (typeof SD_MODELS)[number];
export const SD_SCHEDULERS = ['euler', 'euler_a', 'ddim', 'dpmpp_2m', 'lms'] as const;

export const FFMPEG_FORMATS = ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'wav', 'flac', 'ogg'] as const;
export type FfmpegFormat = (typeof FFMPEG_FORMATS)[number];
export const FFMPEG_VIDEO_CODECS = ['h264', 'h265', 'vp9', 'av1', 'copy'] as const;
export type FfmpegVideoCodec = (typeof FFMPEG_VIDEO_CODECS)[number];
export const FFMPEG_AUDIO_CODECS = ['aac', 'opus', 'mp3', 'flac', 'copy'] as const;
export type FfmpegAudioCodec = (typeof FFMPEG_AUDIO_CODECS)[number];
export const FFMPEG_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;

/**
 * What each container can hold (checked against ffmpeg 5.1). Audio-only formats carry no video:
 * their video settings are ignored. `copy` passes the input stream through unchanged.
 */
export const FFMPEG_CONTAINERS: Record<
  FfmpegFormat,
  { video: readonly FfmpegVideoCodec[] | null; audio: readonly FfmpegAudioCodec[] }
> = {
  mp4: { video: ['h264', 'h265', 'vp9', 'av1', 'copy'], audio: ['aac', 'opus', 'mp3', 'copy'] },
  webm: { video: ['vp9', 'av1', 'copy'], audio: ['opus', 'copy'] },
  mkv: { video: ['h264', 'h265', 'vp9', 'av1', 'copy'], audio: ['aac', 'opus', 'mp3', 'flac', 'copy'] },
  mov: { video: ['h264', 'h265', 'copy'], audio: ['aac', 'mp3', 'copy'] },
  mp3: { video: null, audio: ['mp3', 'copy'] },
  wav: { video: null, audio: ['aac', 'mp3', 'flac', 'copy'] },
  flac: { video: null, audio: ['flac', 'copy'] },
  ogg: { video: null, audio: ['opus', 'flac', 'copy'] },
};

export const BLENDER_ENGINES = ['cycles', 'eevee'] as const;
export type BlenderEngine = (typeof BLENDER_ENGINES)[number];
export const BLENDER_OUTPUT_FORMATS = ['png', 'jpeg', 'exr', 'tiff'] as const;
/** One job renders at most this many frames, so its queue TTL (30 s a frame) stays within a day. */
export const BLENDER_MAX_FRAMES = 2880;

/** An http(s) URL a miner downloads its input from. */
const INPUT_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/**
 * A rule over the whole body, reported under the decorated field: `test` sees the field's value
 * and the body (other fields are not validated yet, so it must cope with any type).
 */
function Satisfies<T extends object>(
  name: string,
  test: (value: unknown, body: T) => boolean,
  message: (body: T) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => test(value, args?.object as T),
        defaultMessage: (args) => message(args?.object as T),
      },
    },
    options,
  );
}

/** A side of a generated image in pixels: 256 to 2048, a multiple of 8; absent, the model's native size. */
function ImageSide(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      example: 512,
      minimum: 256,
      maximum: 2048,
      description: "multiple of 8; default: the model's native size",
    }),
    IsOptional(),
    IsInt(),
    Min(256),
    Max(2048),
    IsDivisibleBy(8, { message: '$property must be a multiple of 8' }),
  );
}

/** How a typed job is paid for and placed; none of it goes into the miner's `service_request`. */
export class ServiceJobOptionsDto extends IntersectionType(
  PickType(SubmitJobDto, ['payment_amount', 'priority', 'webhook_url'] as const),
  PickType(JobConstraintsDto, ['region', 'max_price'] as const),
) {}

/** Every typed body may carry `job`: the job's payment and placement, kept out of the service request. */
export abstract class ServiceBodyDto {
  @ApiPropertyOptional({
    type: ServiceJobOptionsDto,
    example: { payment_amount: '0.25', priority: 0 },
    description: 'payment and placement of the job; not part of the service request the miner receives',
  })
  @IsOptional()
  // ValidateNested alone would take an array of option objects
  @IsObject()
  @ValidateNested()
  @Type(() => ServiceJobOptionsDto)
  job?: ServiceJobOptionsDto;
}

/** `POST /v1/services/whisper/transcribe` and `/translate` (the route sets `task`). */
export class WhisperRequestDto extends ServiceBodyDto {
  @ApiProperty({ example: 'https://media.example/interview.mp3', description: 'http(s) URL of the audio or video' })
  @IsUrl(INPUT_URL)
  @MaxLength(2048)
  audio_url!: string;

  @ApiPropertyOptional({ enum: WHISPER_MODELS, default: 'base', description: 'larger models need more VRAM' })
  @IsIn(WHISPER_MODELS)
  model: WhisperModel = 'base';

  @ApiPropertyOptional({ example: 'en', description: 'ISO 639 code of the spoken language; detected when absent' })
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: 'language must be an ISO 639 code such as "en"' })
  language?: string;

  @ApiPropertyOptional({ enum: WHISPER_OUTPUT_FORMATS, default: 'json' })
  @IsIn(WHISPER_OUTPUT_FORMATS)
  output_format: (typeof WHISPER_OUTPUT_FORMATS)[number] = 'json';

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: 1, description: 'sampling temperature' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  temperature = 0;

  @ApiPropertyOptional({ default: false })
  @IsBoolean()
  word_timestamps = false;

  @ApiPropertyOptional({ example: 'AITBC, GPU, Ollama', description: 'vocabulary hints', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  initial_prompt?: string;
}

/** `POST /v1/services/stable-diffusion/generate`. Sizes, steps and guidance default to the model's own. */
export class StableDiffusionRequestDto extends ServiceBodyDto {
  @ApiProperty({ example: 'a lighthouse on a cliff at dawn, oil painting', minLength: 1, maxLength: 4000 })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  prompt!: string;

  @ApiPropertyOptional({ example: 'blurry, low quality', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  negative_prompt?: string;

  @ApiPropertyOptional({ enum: SD_MODELS, default: 'sd-1.5', description: 'SDXL and SD 3.5 need more VRAM' })
  @IsIn(SD_MODELS)
  model: StableDiffusionModel = 'sd-1.5';

  @ImageSide()
  width?: number;

  @ImageSide()
  height?: number;

  @ApiPropertyOptional({ example: 30, minimum: 1, maximum: 150, description: 'default: 30 (4 for sdxl-turbo)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(150)
  steps?: number;

  @ApiPropertyOptional({ example: 7.5, minimum: 0, maximum: 30, description: 'default: 7.5 (0 for sdxl-turbo)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(30)
  guidance_scale?: number;

  @ApiPropertyOptional({ enum: SD_SCHEDULERS, default: 'euler_a' })
  @IsIn(SD_SCHEDULERS)
  scheduler: (typeof SD_SCHEDULERS)[number] = 'euler_a';

  @ApiPropertyOptional({ example: 42, minimum: 0, maximum: 4294967295, description: 'random when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4294967295)
  seed?: number;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 4 })
  @IsInt()
  @Min(1)
  @Max(4)
  num_images = 1;
}

/** `POST /v1/services/stable-diffusion/img2img`: a generate request that starts from an image. */
export class StableDiffusionImg2ImgRequestDto extends StableDiffusionRequestDto {
  @ApiProperty({ example: 'https://media.example/sketch.png', description: 'http(s) URL of the starting image' })
  @IsUrl(INPUT_URL)
  @MaxLength(2048)
  init_image_url!: string;

  @ApiPropertyOptional({ default: 0.75, minimum: 0, maximum: 1, description: 'how far to move from the image' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  strength = 0.75;
}

/** `POST /v1/services/llm/inference` and `/llm/stream` (the route sets `stream`). */
export class LlmRequestDto extends ServiceBodyDto {
  @ApiProperty({ example: 'llama3.2:latest', description: 'an Ollama model tag the miner must have' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(/^[\w.:/@+-]+$/, { message: 'model must be a model tag such as "llama3.1:8b" (no spaces)' })
  model!: string;

  @ApiProperty({ example: 'What is machine learning?', minLength: 1, maxLength: 100000 })
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  prompt!: string;

  @ApiPropertyOptional({ default: 512, minimum: 1, maximum: 8192 })
  @IsInt()
  @Min(1)
  @Max(8192)
  max_tokens = 512;

  @ApiPropertyOptional({ default: 0.7, minimum: 0, maximum: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature = 0.7;

  @ApiPropertyOptional({ default: 0.9, minimum: 0, maximum: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  top_p = 0.9;

  @ApiPropertyOptional({ example: 'You are a concise assistant.', maxLength: 100000 })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  system?: string;
}

const BITRATE = new RegExp(FFMPEG_BITRATE_PATTERN);
/** The codecs of one kind the body's container can hold; null when the format is unknown or audio-only. */
const containerCodecs = (kind: 'video' | 'audio', format: unknown) =>
  typeof format === 'string' && Object.hasOwn(FFMPEG_CONTAINERS, format)
    ? FFMPEG_CONTAINERS[format as FfmpegFormat][kind]
    : null;
const inContainer = (kind: 'video' | 'audio') => (codec: unknown, body: FfmpegTranscodeRequestDto) =>
  containerCodecs(kind, body.output_format)?.includes(codec as never) ?? true;
const containerMessage = (kind: 'video' | 'audio') => (body: FfmpegTranscodeRequestDto) =>
  `${body.output_format} holds ${kind} in ${containerCodecs(kind, body.output_format)?.join(', ')} only`;

/** `POST /v1/services/ffmpeg/transcode`. Codecs default to the container's usual ones. */
export class FfmpegTranscodeRequestDto extends ServiceBodyDto {
  @ApiProperty({ example: 'https://media.example/talk.mov', description: 'http(s) URL of the input' })
  @IsUrl(INPUT_URL)
  @MaxLength(2048)
  input_url!: string;

  @ApiPropertyOptional({ enum: FFMPEG_FORMATS, default: 'mp4' })
  @IsIn(FFMPEG_FORMATS)
  output_format: FfmpegFormat = 'mp4';

  @ApiPropertyOptional({
    enum: FFMPEG_VIDEO_CODECS,
    description: 'default: vp9 for webm (av1 with hardware_acceleration), else h264; ignored for audio-only formats',
  })
  @IsOptional()
  @IsIn(FFMPEG_VIDEO_CODECS)
  @Satisfies('containerCodec', inContainer('video'), containerMessage('video'))
  @Satisfies<FfmpegTranscodeRequestDto>(
    'nvencCodec',
    (codec, body) => body.hardware_acceleration !== true || codec !== 'vp9',
    () => 'NVENC hardware encoding has no vp9 encoder: use h264, h265 or av1',
  )
  video_codec?: FfmpegVideoCodec;

  @ApiPropertyOptional({
    enum: FFMPEG_AUDIO_CODECS,
    description: 'default: opus for webm and ogg, mp3 for mp3, flac for flac, none for wav (PCM), else aac',
  })
  @IsOptional()
  @IsIn(FFMPEG_AUDIO_CODECS)
  @Satisfies('containerCodec', inContainer('audio'), containerMessage('audio'))
  audio_codec?: FfmpegAudioCodec;

  @ApiPropertyOptional({
    example: '1280x720',
    pattern: FFMPEG_RESOLUTION_PATTERN,
    description: 'WIDTHxHEIGHT, both even, at most 7680x4320',
  })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(FFMPEG_RESOLUTION_PATTERN), {
    message: 'resolution must look like 1280x720: even sides of at most 7680x4320',
  })
  resolution?: string;

  @ApiPropertyOptional({
    example: '2M',
    pattern: FFMPEG_BITRATE_PATTERN,
    description: 'up to 6 digits (3 decimals) with k or M',
  })
  @IsOptional()
  @IsString()
  @Matches(BITRATE, { message: 'video_bitrate must look like 2M or 800k' })
  video_bitrate?: string;

  @ApiPropertyOptional({
    example: '128k',
    pattern: FFMPEG_BITRATE_PATTERN,
    description: 'up to 6 digits (3 decimals) with k or M',
  })
  @IsOptional()
  @IsString()
  @Matches(BITRATE, { message: 'audio_bitrate must look like 128k' })
  audio_bitrate?: string;

  @ApiPropertyOptional({ example: 30, minimum: 1, maximum: 240 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(240)
  fps?: number;

  @ApiPropertyOptional({ default: 23, minimum: 0, maximum: 51, description: 'constant rate factor: lower is better' })
  @IsInt()
  @Min(0)
  @Max(51)
  crf = 23;

  @ApiPropertyOptional({ enum: FFMPEG_PRESETS, default: 'medium' })
  @IsIn(FFMPEG_PRESETS)
  preset: (typeof FFMPEG_PRESETS)[number] = 'medium';

  @ApiPropertyOptional({ default: false, description: 'encode on an NVIDIA GPU (NVENC); the job then needs one' })
  @IsBoolean()
  hardware_acceleration = false;
}

/** `POST /v1/services/blender/render`. */
export class BlenderRenderRequestDto extends ServiceBodyDto {
  @ApiProperty({ example: 'https://media.example/scene.blend', description: 'http(s) URL of the .blend file' })
  @IsUrl(INPUT_URL)
  @MaxLength(2048)
  blend_file_url!: string;

  @ApiPropertyOptional({ default: 1, minimum: 0, maximum: 1048574 })
  @IsInt()
  @Min(0)
  @Max(1048574)
  frame_start = 1;

  @ApiPropertyOptional({
    example: 48,
    minimum: 0,
    maximum: 1048574,
    description: `default: frame_start (one frame); at most ${BLENDER_MAX_FRAMES} frames a job`,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1048574)
  @Satisfies<BlenderRenderRequestDto>(
    'frameOrder',
    (end, body) => typeof body.frame_start !== 'number' || typeof end !== 'number' || end >= body.frame_start,
    () => 'frame_end must not be less than frame_start',
  )
  @Satisfies<BlenderRenderRequestDto>(
    'maxFrames',
    (end, body) =>
      typeof body.frame_start !== 'number' || typeof end !== 'number' || end - body.frame_start < BLENDER_MAX_FRAMES,
    () => `a job renders at most ${BLENDER_MAX_FRAMES} frames: split longer animations`,
  )
  frame_end?: number;

  @ApiPropertyOptional({ enum: BLENDER_ENGINES, default: 'cycles' })
  @IsIn(BLENDER_ENGINES)
  engine: BlenderEngine = 'cycles';

  @ApiPropertyOptional({ default: 1920, minimum: 16, maximum: 16384 })
  @IsInt()
  @Min(16)
  @Max(16384)
  resolution_x = 1920;

  @ApiPropertyOptional({ default: 1080, minimum: 16, maximum: 16384 })
  @IsInt()
  @Min(16)
  @Max(16384)
  resolution_y = 1080;

  @ApiPropertyOptional({ default: 128, minimum: 1, maximum: 4096, description: 'render samples per pixel' })
  @IsInt()
  @Min(1)
  @Max(4096)
  samples = 128;

  @ApiPropertyOptional({ enum: BLENDER_OUTPUT_FORMATS, default: 'png' })
  @IsIn(BLENDER_OUTPUT_FORMATS)
  output_format: (typeof BLENDER_OUTPUT_FORMATS)[number] = 'png';
}

/** What every typed service endpoint answers (201, or 200 when an Idempotency-Key replays). */
export class ServiceJobResponseDto {
  @ApiProperty({ example: '3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5' })
  job_id!: string;
  @ApiProperty({ enum: SERVICE_TYPES, example: 'llm_inference' })
  service_type!: ServiceTypeName;
  @ApiProperty({ enum: JOB_STATES, example: 'QUEUED' })
  state!: JobStateName;
  @ApiProperty({
    example: '2026-11-22T14:50:31.000Z',
    description: "requested_at + the service's typical run time for this request (queue wait not included)",
  })
  estimated_completion!: string;
}

/** What one variant of a service (a model, an engine, a mode) needs of a miner. */
export class ServiceHardwareDto {
  @ApiProperty({ example: 'large-v3', description: 'the model, engine or mode this applies to' })
  variant!: string;
  @ApiProperty({ example: 'nvidia', nullable: true, type: String, description: 'null: any GPU, or none' })
  gpu_vendor!: string | null;
  @ApiProperty({ example: 10, nullable: true, type: Number })
  min_vram_gb!: number | null;
  @ApiProperty({ example: '11.8', nullable: true, type: String })
  min_cuda!: string | null;
}

/** One of the five typed service types, as `GET /v1/services` lists it. */
export class ServiceTypeDto {
  @ApiProperty({ enum: SERVICE_TYPES })
  service_type!: ServiceTypeName;
  @ApiProperty({ example: 'Whisper speech recognition' })
  name!: string;
  @ApiProperty()
  description!: string;
  @ApiProperty({ example: ['POST /v1/services/whisper/transcribe'] })
  endpoints!: string[];
  @ApiProperty({
    type: Object,
    example: { models: ['tiny', 'base'] },
    description: 'the models, codecs, formats or engines a request may choose',
  })
  options!: Record<string, readonly string[]>;
  @ApiProperty({ type: [ServiceHardwareDto], description: 'the constraint each variant puts on the job' })
  hardware!: ServiceHardwareDto[];
  @ApiProperty({ example: 900, description: 'how long a job waits for a miner (blender: at least this)' })
  ttl_seconds!: number;
  @ApiPropertyOptional({ example: 30, description: 'blender: the TTL is max(ttl_seconds, frames × this)' })
  ttl_seconds_per_frame?: number;
}

export class ServiceTypeListDto {
  @ApiProperty({ type: [ServiceTypeDto] })
  services!: ServiceTypeDto[];
}
