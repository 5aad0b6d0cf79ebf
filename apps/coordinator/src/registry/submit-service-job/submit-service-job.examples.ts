import type { ServiceRoute } from './service-jobs';

type Examples = Record<string, { summary: string; value: Record<string, unknown> }>;

const WHISPER: Examples = {
  minimal: {
    summary: 'defaults: base model, language detected',
    value: { audio_url: 'https://media.example/talk.mp3' },
  },
  full: {
    summary: 'every field',
    value: {
      audio_url: 'https://media.example/talk.mp3',
      model: 'large-v3',
      language: 'de',
      output_format: 'srt',
      temperature: 0.2,
      word_timestamps: true,
      initial_prompt: 'AITBC, Ollama, GPU',
      job: { payment_amount: '0.5', priority: 5 },
    },
  },
};

const GENERATE = {
  prompt: 'a lighthouse on a cliff at dawn, oil painting',
  negative_prompt: 'blurry, low quality',
  model: 'sdxl-base-1.0',
  width: 1024,
  height: 768,
  steps: 40,
  guidance_scale: 6.5,
  scheduler: 'dpmpp_2m',
  seed: 42,
  num_images: 2,
};

const LLM: Examples = {
  minimal: { summary: 'defaults: 512 tokens, temperature 0.7', value: { model: 'llama3.2:latest', prompt: 'Hi!' } },
  full: {
    summary: 'every field; an 8b model needs 6.2 GB of VRAM',
    value: {
      model: 'llama3.1:8b',
      prompt: 'What is machine learning?',
      system: 'You are a concise assistant.',
      max_tokens: 256,
      temperature: 0.2,
      top_p: 0.95,
      job: { payment_amount: '0.25', max_price: '0.05', region: 'eu-west' },
    },
  },
};

/** Request examples for Swagger, per route. */
export const SERVICE_EXAMPLES: Record<ServiceRoute, Examples> = {
  'whisper/transcribe': WHISPER,
  'whisper/translate': WHISPER,
  'stable-diffusion/generate': {
    minimal: { summary: 'defaults: sd-1.5 at 512×512, 30 steps', value: { prompt: 'a red fox in the snow' } },
    full: { summary: 'every field', value: GENERATE },
  },
  'stable-diffusion/img2img': {
    minimal: {
      summary: 'defaults: strength 0.75',
      value: { prompt: 'the same sketch as a watercolour', init_image_url: 'https://media.example/sketch.png' },
    },
    full: {
      summary: 'every field',
      value: { ...GENERATE, init_image_url: 'https://media.example/sketch.png', strength: 0.6 },
    },
  },
  'llm/inference': LLM,
  'llm/stream': LLM,
  'ffmpeg/transcode': {
    minimal: { summary: 'defaults: mp4, h264, aac, crf 23', value: { input_url: 'https://media.example/talk.mov' } },
    full: {
      summary: 'every field',
      value: {
        input_url: 'https://media.example/talk.mov',
        output_format: 'mkv',
        video_codec: 'h265',
        audio_codec: 'opus',
        resolution: '1280x720',
        video_bitrate: '2M',
        audio_bitrate: '128k',
        fps: 30,
        crf: 28,
        preset: 'slow',
        hardware_acceleration: true,
      },
    },
  },
  'blender/render': {
    minimal: {
      summary: 'defaults: frame 1, Cycles, 1920×1080, 128 samples',
      value: { blend_file_url: 'https://media.example/scene.blend' },
    },
    full: {
      summary: 'every field: 48 frames, so the job waits up to 1440 s for a miner',
      value: {
        blend_file_url: 'https://media.example/scene.blend',
        frame_start: 1,
        frame_end: 48,
        engine: 'eevee',
        resolution_x: 1280,
        resolution_y: 720,
        samples: 64,
        output_format: 'exr',
      },
    },
  },
};
