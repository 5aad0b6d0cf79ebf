import {
  FFMPEG_AUDIO_CODECS,
  FFMPEG_BITRATE_NUMBER,
  FFMPEG_CONTAINERS,
  FFMPEG_FORMATS,
  FFMPEG_PRESETS,
  FFMPEG_RESOLUTION_PATTERN,
  FFMPEG_VIDEO_CODECS,
  type FfmpegAudioCodec,
  type FfmpegFormat,
  type FfmpegVideoCodec,
} from '@aitbc/contracts';
import { BadInput, checked, Checked, optionalNumber, record } from '../payload-checks';

/**
 * The typed `ffmpeg` service request as the coordinator sends it (`FfmpegTranscodeRequestDto` without
 * `job`): it always names both codecs, `crf` and `preset`, also where they do not apply.
 */
export interface FfmpegRequest {
  input_url: string;
  output_format: FfmpegFormat;
  video_codec?: FfmpegVideoCodec;
  audio_codec?: FfmpegAudioCodec;
  resolution?: string;
  video_bitrate?: string;
  audio_bitrate?: string;
  fps?: number;
  crf?: number;
  preset?: Preset;
  /** Encode on an NVIDIA GPU (NVENC): the job then needs one. */
  hardware_acceleration: boolean;
}

type Preset = (typeof FFMPEG_PRESETS)[number];

const CPU_ENCODERS: Record<FfmpegVideoCodec | FfmpegAudioCodec, string> = {
  h264: 'libx264',
  h265: 'libx265',
  vp9: 'libvpx-vp9',
  av1: 'libaom-av1',
  aac: 'aac',
  opus: 'libopus',
  mp3: 'libmp3lame',
  flac: 'flac',
  copy: 'copy',
};
const NVENC_ENCODERS: Record<Exclude<FfmpegVideoCodec, 'vp9' | 'copy'>, string> = {
  h264: 'h264_nvenc',
  h265: 'hevc_nvenc',
  av1: 'av1_nvenc',
};
const NVENC_PRESETS: Record<Preset, string> = {
  ultrafast: 'p1',
  superfast: 'p1',
  veryfast: 'p2',
  faster: 'p3',
  fast: 'p3',
  medium: 'p4',
  slow: 'p5',
  slower: 'p6',
  veryslow: 'p7',
};

/** The coordinator sends `k` or `M`; the allow-list's `{bitrate}` also passes a bare number and other cases. */
const BITRATE = new RegExp(`^${FFMPEG_BITRATE_NUMBER}[kKmM]?$`);
/** The shape first, for a clearer message; then the sides (even, at most 7680x4320), as the coordinator checks them. */
const RESOLUTION_SHAPE = /^\d{2,5}x\d{2,5}$/;
const RESOLUTION = new RegExp(FFMPEG_RESOLUTION_PATTERN);

export function parseFfmpegRequest(value: unknown): Checked<FfmpegRequest> {
  return checked(() => toRequest(value));
}

function toRequest(value: unknown): FfmpegRequest {
  const raw = record(value, 'service_request');
  const format = oneOf(raw.output_format, FFMPEG_FORMATS, 'output_format', true);
  const container = FFMPEG_CONTAINERS[format];
  if (raw.hardware_acceleration !== undefined && typeof raw.hardware_acceleration !== 'boolean') {
    throw new BadInput('service_request.hardware_acceleration must be true or false');
  }
  const request: FfmpegRequest = {
    input_url: inputUrl(raw.input_url),
    output_format: format,
    // An audio-only format carries no video: the codec the coordinator filled in does not apply.
    video_codec: container.video === null ? undefined : oneOf(raw.video_codec, FFMPEG_VIDEO_CODECS, 'video_codec'),
    audio_codec: oneOf(raw.audio_codec, FFMPEG_AUDIO_CODECS, 'audio_codec'),
    resolution: matching(raw.resolution, RESOLUTION_SHAPE, 'resolution', 'like "1280x720"'),
    video_bitrate: matching(raw.video_bitrate, BITRATE, 'video_bitrate', 'like "2M"'),
    audio_bitrate: matching(raw.audio_bitrate, BITRATE, 'audio_bitrate', 'like "128k"'),
    fps: optionalNumber(raw.fps, 'service_request.fps', { min: 1, max: 240 }),
    crf: optionalNumber(raw.crf, 'service_request.crf', { min: 0, max: 51, integer: true }),
    preset: oneOf(raw.preset, FFMPEG_PRESETS, 'preset'),
    hardware_acceleration: raw.hardware_acceleration === true,
  };
  // Every offered encoder works in 4:2:0, which needs even sides.
  if (request.resolution && !RESOLUTION.test(request.resolution)) {
    throw new BadInput('service_request.resolution must have even sides of at most 7680x4320');
  }
  if (request.video_codec && container.video && !container.video.includes(request.video_codec)) {
    throw new BadInput(`service_request.video_codec: ${format} holds video in ${container.video.join(', ')} only`);
  }
  if (request.audio_codec && !container.audio.includes(request.audio_codec)) {
    throw new BadInput(`service_request.audio_codec: ${format} holds audio in ${container.audio.join(', ')} only`);
  }
  if (request.hardware_acceleration && videoCodecOf(request) === 'vp9') {
    throw new BadInput('service_request.video_codec: NVENC hardware encoding has no vp9 encoder');
  }
  return request;
}

/** The video codec a request encodes with, or null for an audio-only format. */
function videoCodecOf(request: FfmpegRequest): FfmpegVideoCodec | null {
  const choices = FFMPEG_CONTAINERS[request.output_format].video;
  if (choices === null) {
    return null;
  }
  // NVENC has no vp9 encoder: a hardware-accelerated webm gets av1, as the coordinator decides.
  const fallback = request.output_format === 'webm' && request.hardware_acceleration ? 'av1' : choices[0];
  return request.video_codec ?? fallback;
}

/** Whether the request encodes video on the GPU (NVENC): audio, or video passed through, never does. */
export function encodesWithNvenc(request: FfmpegRequest): boolean {
  const codec = videoCodecOf(request);
  return request.hardware_acceleration && codec !== null && codec !== 'copy' && codec !== 'vp9';
}

/**
 * The ffmpeg arguments for a request reading `input` and writing `output` in the workspace. Settings
 * that do not apply (video settings of an audio-only format or of `copy`) are left out.
 */
export function ffmpegArgs(request: FfmpegRequest, input: string, output: string): string[] {
  const format = request.output_format;
  const args = ['-y', '-i', input];
  const videoCodec = videoCodecOf(request);
  if (videoCodec === null) {
    args.push('-vn');
  } else if (videoCodec === 'copy') {
    args.push('-c:v', 'copy');
  } else {
    args.push(...videoArgs(request, videoCodec));
  }
  // Without a codec named, wav keeps ffmpeg's PCM, the format's usual content.
  const audioCodec = request.audio_codec ?? (format === 'wav' ? null : FFMPEG_CONTAINERS[format].audio[0]);
  if (audioCodec !== null) {
    args.push('-c:a', CPU_ENCODERS[audioCodec]);
  }
  if (request.audio_bitrate && audioCodec !== 'copy') {
    args.push('-b:a', request.audio_bitrate);
  }
  if (format === 'mp4' || format === 'mov') {
    args.push('-movflags', '+faststart');
  }
  args.push(output);
  return args;
}

function videoArgs(request: FfmpegRequest, codec: Exclude<FfmpegVideoCodec, 'copy'>): string[] {
  const nvenc = request.hardware_acceleration && codec !== 'vp9';
  const args = ['-c:v', nvenc ? NVENC_ENCODERS[codec] : CPU_ENCODERS[codec]];
  if (request.resolution) {
    args.push('-s', request.resolution);
  }
  if (request.fps !== undefined) {
    args.push('-r', String(Number(request.fps.toFixed(3))));
  }
  if (request.video_bitrate) {
    args.push('-b:v', request.video_bitrate);
  }
  if (request.crf !== undefined) {
    args.push(...(nvenc ? ['-rc', 'vbr', '-cq', String(request.crf)] : ['-crf', String(request.crf)]));
    // NVENC, libvpx and libaom treat the quality as a cap under a default bitrate; 0 makes it constant quality.
    if ((nvenc || codec === 'vp9' || codec === 'av1') && !request.video_bitrate) {
      args.push('-b:v', '0');
    }
  }
  if (request.preset) {
    args.push(...presetArgs(request.preset, nvenc ? 'nvenc' : codec));
  }
  return args;
}

function presetArgs(preset: Preset, encoder: Exclude<FfmpegVideoCodec, 'copy'> | 'nvenc'): string[] {
  const speed = FFMPEG_PRESETS.indexOf(preset);
  switch (encoder) {
    case 'h264':
    case 'h265':
      return ['-preset', preset];
    case 'nvenc':
      return ['-preset', NVENC_PRESETS[preset]];
    case 'vp9':
      // libvpx has no presets: its "good" deadline takes a speed from 0 (slowest) to 5.
      return ['-deadline', 'good', '-cpu-used', String(Math.max(0, 5 - Math.round(speed * (5 / 8)))), '-row-mt', '1'];
    case 'av1':
      return ['-cpu-used', String(8 - speed)];
  }
}

/** The output's file extension: the format's name, which also picks ffmpeg's muxer. */
export function outputFileName(request: FfmpegRequest): string {
  return `output.${request.output_format}`;
}

/** A file name for the downloaded input, keeping a plain extension from the URL as a hint for ffmpeg's probe. */
export function inputFileName(inputUrl: string): string {
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(new URL(inputUrl).pathname)?.[1];
  return extension ? `input.${extension.toLowerCase()}` : 'input.media';
}

function inputUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) {
    throw new BadInput('service_request.input_url must be an http(s) URL of at most 2048 characters');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInput('service_request.input_url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInput('service_request.input_url must use http or https');
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, required: true): T;
function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, required?: false): T | undefined;
function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  required = false,
): T | undefined {
  if ((value === undefined || value === null) && !required) {
    return undefined;
  }
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new BadInput(`service_request.${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function matching(value: unknown, pattern: RegExp, field: string, example: string): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new BadInput(`service_request.${field} must be ${example}`);
  }
  return value;
}
