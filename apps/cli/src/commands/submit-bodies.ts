import { intOption, keyValue, listOption, looseValue, numberOption, requiredString, stringOption } from '../args';
import type { OptionSpecs, OptionValues } from '../command';
import { usageError } from '../exit-codes';
import type { Io } from '../io';

/*
 * The request each `aitbc submit <kind>` sends: pure functions of the options (and the files they
 * name), unit-tested without a coordinator.
 */

export interface Submission {
  path: string;
  body: Record<string, unknown>;
}

/** One kind of job: its endpoint, its own options and how they become the request body. */
export interface ServiceSpec {
  kind: string;
  summary: string;
  usage: string;
  description?: string;
  /** its own options, with the envelope options of its endpoint */
  options: OptionSpecs;
  examples: readonly string[];
  build(values: OptionValues, io: Pick<Io, 'readText'>): Submission | Promise<Submission>;
}

export const DEFAULT_MODEL = 'llama3.2:latest';

/** Options of every submit, whatever its endpoint. */
export const SUBMIT_OPTIONS: OptionSpecs = {
  'idempotency-key': {
    type: 'string',
    value: 'KEY',
    description: 'reuse a key to make a repeated submit return the same job (default: a new one per run)',
  },
  wait: { type: 'boolean', description: 'wait for the job to finish and print its result (see aitbc wait)' },
};

const PAYMENT_OPTIONS: OptionSpecs = {
  payment: {
    type: 'string',
    value: 'AMOUNT',
    description: 'AITBC to hold in escrow (the most the job may cost), e.g. 0.5',
  },
  priority: { type: 'string', value: 'N', description: 'higher runs first (-100..100, default 0)' },
  webhook: { type: 'string', value: 'URL', description: 'the coordinator calls it when the job finishes' },
};

/** The envelope of POST /v1/jobs (DESIGN §3): payment, placement and timing of a job. */
const JOB_OPTIONS: OptionSpecs = {
  ...PAYMENT_OPTIONS,
  ttl: {
    type: 'string',
    value: 'SECONDS',
    description: 'how long the job may wait for a miner (1..86400, default 900)',
  },
  timeout: { type: 'string', value: 'SECONDS', description: 'how long a miner may run it' },
  constraint: {
    type: 'string',
    multiple: true,
    value: 'KEY=VALUE',
    description:
      'what the miner must have, repeatable: gpu, min_vram_gb, cuda, models, services, region, max_price (gpu=nvidia)',
  },
};

/**
 * The `job` member of a typed service body: the coordinator derives the hardware, models and queue
 * time from the request itself, so only payment and placement are the client's to choose.
 */
const TYPED_JOB_OPTIONS: OptionSpecs = {
  ...PAYMENT_OPTIONS,
  ttl: {
    type: 'string',
    value: 'SECONDS',
    description: 'refused: a typed service has a fixed queue time (use submit raw)',
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    description: 'refused: the coordinator sets the run time (use submit raw)',
  },
  constraint: {
    type: 'string',
    multiple: true,
    value: 'KEY=VALUE',
    description: 'region=… or max_price=… (the hardware follows from the request); repeatable',
  },
};

const CONSTRAINTS: Record<string, 'text' | 'number' | 'list'> = {
  gpu: 'text',
  min_vram_gb: 'number',
  cuda: 'text',
  models: 'list',
  services: 'list',
  region: 'text',
  max_price: 'text',
};

/** `--constraint k=v …` as the API's constraints object; lists may be split over several flags. */
export function constraints(values: OptionValues): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  for (const item of listOption(values, 'constraint')) {
    const [key, value] = keyValue(item, 'constraint');
    const kind = CONSTRAINTS[key];
    if (kind === undefined) {
      throw usageError(`unknown constraint "${key}" (known: ${Object.keys(CONSTRAINTS).join(', ')})`);
    }
    if (kind === 'list') {
      const items = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      result[key] = [...((result[key] as string[] | undefined) ?? []), ...items];
      continue;
    }
    if (key in result) {
      throw usageError(`constraint "${key}" is given twice`);
    }
    const number = Number(value);
    if (kind === 'number' && (value.trim() === '' || !Number.isFinite(number))) {
      throw usageError(`constraint ${key} must be a number (got "${value}")`);
    }
    result[key] = kind === 'number' ? number : value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** The envelope fields of the common options, only those given. */
export function envelope(values: OptionValues): Record<string, unknown> {
  return withoutUndefined({
    constraints: constraints(values),
    ttl_seconds: intOption(values, 'ttl'),
    timeout_seconds: intOption(values, 'timeout'),
    payment_amount: stringOption(values, 'payment'),
    priority: intOption(values, 'priority'),
    webhook_url: stringOption(values, 'webhook'),
  });
}

const LLM_OPTIONS: OptionSpecs = {
  model: { type: 'string', value: 'NAME', description: `the Ollama model (default ${DEFAULT_MODEL})` },
  temperature: { type: 'string', value: 'T', description: 'sampling temperature, e.g. 0.7' },
  'max-tokens': { type: 'string', value: 'N', description: 'at most N tokens (Ollama num_predict)' },
  option: {
    type: 'string',
    multiple: true,
    value: 'KEY=VALUE',
    description: 'any other Ollama option (top_p=0.9, seed=42 …); repeatable',
  },
};

/** Ollama `options` from --temperature, --max-tokens and --option. */
function llmOptions(values: OptionValues): Record<string, unknown> | undefined {
  const options: Record<string, unknown> = {};
  for (const item of listOption(values, 'option')) {
    const [key, value] = keyValue(item, 'option');
    options[key] = looseValue(value);
  }
  const temperature = numberOption(values, 'temperature');
  if (temperature !== undefined) {
    options.temperature = temperature;
  }
  const maxTokens = intOption(values, 'max-tokens');
  if (maxTokens !== undefined) {
    options.num_predict = maxTokens;
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

/** `--set k=v …`: fields the typed endpoints take beyond the flags named here. */
const SET_OPTION: OptionSpecs = {
  set: {
    type: 'string',
    multiple: true,
    value: 'KEY=VALUE',
    description: 'another field of the request body (VALUE parsed as JSON when it is); repeatable',
  },
};

function extraFields(values: OptionValues): Record<string, unknown> {
  return Object.fromEntries(
    listOption(values, 'set').map((item) => {
      const [key, value] = keyValue(item, 'set');
      return [key, looseValue(value)];
    }),
  );
}

async function textOrFile(values: OptionValues, io: Pick<Io, 'readText'>, name: string, file: string): Promise<string> {
  const path = stringOption(values, file);
  if (path !== undefined) {
    if (stringOption(values, name) !== undefined) {
      throw usageError(`give --${name} or --${file}, not both`);
    }
    return readFileOption(io, path, file);
  }
  return requiredString(values, name);
}

async function readFileOption(io: Pick<Io, 'readText'>, path: string, option: string): Promise<string> {
  try {
    return await io.readText(path);
  } catch (error) {
    throw usageError(
      `--${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`--${option} is not valid JSON (${(error as Error).message})`);
  }
}

const ROLES = ['system', 'user', 'assistant'];

async function chatMessages(
  values: OptionValues,
  io: Pick<Io, 'readText'>,
): Promise<{ role: string; content: string }[]> {
  const messages: { role: string; content: string }[] = [];
  const system = stringOption(values, 'system');
  if (system !== undefined) {
    messages.push({ role: 'system', content: system });
  }
  const file = stringOption(values, 'messages-file');
  if (file !== undefined) {
    const parsed = parseJsonOption(await readFileOption(io, file, 'messages-file'), 'messages-file');
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (item: unknown) =>
          typeof item === 'object' &&
          item !== null &&
          ROLES.includes((item as { role?: unknown }).role as string) &&
          typeof (item as { content?: unknown }).content === 'string',
      );
    if (!valid) {
      throw usageError('--messages-file must hold a JSON array of {"role": "system|user|assistant", "content": "…"}');
    }
    messages.push(...(parsed as { role: string; content: string }[]));
  }
  for (const item of listOption(values, 'message')) {
    const cut = item.indexOf(':');
    const role = item.slice(0, Math.max(cut, 0)).trim().toLowerCase();
    if (cut < 0 || !ROLES.includes(role)) {
      throw usageError(`--message takes ROLE:TEXT with ROLE system, user or assistant (got "${item}")`);
    }
    messages.push({ role, content: item.slice(cut + 1).replace(/^ /, '') });
  }
  if (!messages.some((message) => message.role === 'user')) {
    throw usageError('a chat needs at least one user message: --message "user: …" or --messages-file');
  }
  return messages;
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

const TYPED_CONSTRAINTS = ['region', 'max_price'];

const TYPED_DESCRIPTION =
  'A typed service endpoint: the coordinator checks the request and derives the hardware the job needs\n' +
  'and its queue time; --set adds any other field of the request (see the API docs at /docs).';

/**
 * A typed service body has no ttl or timeout: the coordinator fixes the queue time per service and derives
 * the run time from the request. The options are accepted so that they can be refused with the reason.
 */
export function refuseJobTimes(values: OptionValues): void {
  const given = ['ttl', 'timeout'].find((name) => values[name] !== undefined);
  if (given !== undefined) {
    throw usageError(
      `--${given} does not apply to a typed service: the coordinator sets its queue and run times ` +
        '(queue: whisper 900 s, SD 600 s, LLM 300 s, ffmpeg 1800 s, blender max(600, frames × 30) s); ' +
        `for a custom --${given} use submit raw`,
    );
  }
}

/** A typed service endpoint: its description, --set and the typed job options; --ttl/--timeout refused first. */
function typedService(spec: ServiceSpec): ServiceSpec {
  return {
    ...spec,
    description: TYPED_DESCRIPTION,
    options: { ...spec.options, ...SET_OPTION, ...TYPED_JOB_OPTIONS },
    build(values, io) {
      refuseJobTimes(values);
      return spec.build(values, io);
    },
  };
}

/** The `job` member of a typed body: payment, priority, webhook, region and price cap, only those given. */
export function typedJob(values: OptionValues): Record<string, unknown> | undefined {
  const given = constraints(values) ?? {};
  const refused = Object.keys(given).find((key) => !TYPED_CONSTRAINTS.includes(key));
  if (refused !== undefined) {
    throw usageError(
      `constraint "${refused}" does not apply to a typed service: the coordinator derives the hardware from the request ` +
        '(only region and max_price; or use submit raw)',
    );
  }
  const job = withoutUndefined({
    payment_amount: stringOption(values, 'payment'),
    priority: intOption(values, 'priority'),
    webhook_url: stringOption(values, 'webhook'),
    ...given,
  });
  return Object.keys(job).length > 0 ? job : undefined;
}

/** A typed service endpoint's body: its own fields, the extra --set fields, and the `job` member. */
function typed(path: string, fields: Record<string, unknown>, values: OptionValues): Submission {
  return { path, body: withoutUndefined({ ...fields, ...extraFields(values), job: typedJob(values) }) };
}

export const SERVICES: readonly ServiceSpec[] = [
  {
    kind: 'inference',
    summary: 'an LLM completion on Ollama (the seed job)',
    usage: '--prompt TEXT [--model NAME] [options]',
    options: {
      prompt: { type: 'string', value: 'TEXT', description: 'the prompt' },
      'prompt-file': {
        type: 'string',
        value: 'FILE',
        description: 'read the prompt from FILE (- for stdin)',
        complete: 'file',
      },
      ...LLM_OPTIONS,
      ...JOB_OPTIONS,
    },
    examples: [
      'aitbc submit inference --prompt "What is machine learning?" --model llama3.2:latest',
      'aitbc submit inference --prompt "Hello" --wait',
      'echo "Summarize: …" | aitbc submit inference --prompt-file - --max-tokens 200 --payment 0.5 --json',
    ],
    async build(values, io) {
      const payload = withoutUndefined({
        type: 'inference',
        prompt: await textOrFile(values, io, 'prompt', 'prompt-file'),
        model: stringOption(values, 'model') ?? DEFAULT_MODEL,
        options: llmOptions(values),
      });
      return { path: '/v1/jobs', body: { payload, ...envelope(values) } };
    },
  },
  {
    kind: 'chat',
    summary: 'an LLM chat on Ollama',
    usage: '--message "user: TEXT" … [--system TEXT] [--model NAME] [options]',
    options: {
      message: {
        type: 'string',
        multiple: true,
        value: 'ROLE:TEXT',
        description: 'a message (ROLE system, user or assistant); repeatable, in order',
      },
      system: { type: 'string', value: 'TEXT', description: 'a system message, sent first' },
      'messages-file': {
        type: 'string',
        value: 'FILE',
        description: 'a JSON array of {role, content} messages (- for stdin)',
        complete: 'file',
      },
      ...LLM_OPTIONS,
      ...JOB_OPTIONS,
    },
    examples: [
      'aitbc submit chat --system "Answer briefly." --message "user: What is a GPU?" --wait',
      'aitbc submit chat --messages-file conversation.json --model llama3.2:latest --json',
    ],
    async build(values, io) {
      const payload = withoutUndefined({
        type: 'chat',
        model: stringOption(values, 'model') ?? DEFAULT_MODEL,
        messages: await chatMessages(values, io),
        options: llmOptions(values),
      });
      return { path: '/v1/jobs', body: { payload, ...envelope(values) } };
    },
  },
  typedService({
    kind: 'whisper',
    summary: 'speech to text with Whisper',
    usage: '--audio-url URL [--model NAME] [--language CODE] [--task transcribe|translate] [options]',
    options: {
      'audio-url': { type: 'string', value: 'URL', description: 'where the miner downloads the audio (or video)' },
      model: {
        type: 'string',
        value: 'NAME',
        description: 'tiny, base (default), small, medium or large-v3',
        complete: ['tiny', 'base', 'small', 'medium', 'large-v3'],
      },
      language: { type: 'string', value: 'CODE', description: 'spoken language, e.g. en (default: detected)' },
      task: {
        type: 'string',
        value: 'TASK',
        description: 'transcribe (default), or translate into English',
        complete: ['transcribe', 'translate'],
      },
    },
    examples: [
      'aitbc submit whisper --audio-url https://example.com/talk.mp3 --model base --language en --wait',
      'aitbc submit whisper --audio-url https://example.com/interview.mp3 --task translate --set output_format=srt',
    ],
    build(values) {
      const task = stringOption(values, 'task') ?? 'transcribe';
      if (task !== 'transcribe' && task !== 'translate') {
        throw usageError(`--task must be transcribe or translate (got "${task}")`);
      }
      return typed(
        `/v1/services/whisper/${task}`,
        {
          audio_url: requiredString(values, 'audio-url'),
          model: stringOption(values, 'model'),
          language: stringOption(values, 'language'),
        },
        values,
      );
    },
  }),
  typedService({
    kind: 'sd',
    summary: 'an image from a prompt with Stable Diffusion',
    usage: '--prompt TEXT [--model NAME] [--width PX] [--height PX] [--steps N] [options]',
    options: {
      prompt: { type: 'string', value: 'TEXT', description: 'what to draw' },
      'negative-prompt': { type: 'string', value: 'TEXT', description: 'what not to draw' },
      model: {
        type: 'string',
        value: 'NAME',
        description: 'sd-1.5 (default), sd-2.1, sdxl-base-1.0, sdxl-turbo or sd-3.5-medium',
        complete: ['sd-1.5', 'sd-2.1', 'sdxl-base-1.0', 'sdxl-turbo', 'sd-3.5-medium'],
      },
      width: { type: 'string', value: 'PX', description: 'image width, a multiple of 8 (default: the model’s)' },
      height: { type: 'string', value: 'PX', description: 'image height, a multiple of 8 (default: the model’s)' },
      steps: { type: 'string', value: 'N', description: 'sampling steps (default 30)' },
      seed: { type: 'string', value: 'N', description: 'random seed, for a reproducible image' },
    },
    examples: [
      'aitbc submit sd --prompt "a lighthouse at dusk" --model sdxl-base-1.0 --width 1024 --height 1024 --wait',
      'aitbc submit sd --prompt "a red fox" --seed 42 --set guidance_scale=6.5 --set num_images=2',
    ],
    build(values) {
      return typed(
        '/v1/services/stable-diffusion/generate',
        {
          prompt: requiredString(values, 'prompt'),
          negative_prompt: stringOption(values, 'negative-prompt'),
          model: stringOption(values, 'model'),
          width: intOption(values, 'width'),
          height: intOption(values, 'height'),
          steps: intOption(values, 'steps'),
          seed: intOption(values, 'seed'),
        },
        values,
      );
    },
  }),
  typedService({
    kind: 'ffmpeg',
    summary: 'a video or audio transcode with ffmpeg',
    usage: '--input-url URL [--output-format FORMAT] [--video-codec C] [--audio-codec C] [options]',
    options: {
      'input-url': { type: 'string', value: 'URL', description: 'where the miner downloads the input' },
      'output-format': {
        type: 'string',
        value: 'FORMAT',
        description: 'mp4 (default), webm, mkv, mov, mp3, wav, flac or ogg',
        complete: ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'wav', 'flac', 'ogg'],
      },
      'video-codec': {
        type: 'string',
        value: 'CODEC',
        description: 'h264, h265, vp9, av1 or copy (default: the container’s usual)',
        complete: ['h264', 'h265', 'vp9', 'av1', 'copy'],
      },
      'audio-codec': {
        type: 'string',
        value: 'CODEC',
        description: 'aac, opus, mp3, flac or copy (default: the container’s usual)',
        complete: ['aac', 'opus', 'mp3', 'flac', 'copy'],
      },
      resolution: { type: 'string', value: 'WxH', description: 'e.g. 1280x720' },
      crf: { type: 'string', value: 'N', description: 'quality 0..51, lower is better (default 23)' },
      preset: { type: 'string', value: 'NAME', description: 'encoder preset: ultrafast … veryslow (default medium)' },
    },
    examples: [
      'aitbc submit ffmpeg --input-url https://example.com/in.mov --output-format mp4 --video-codec h264 --crf 23 --wait',
    ],
    build(values) {
      return typed(
        '/v1/services/ffmpeg/transcode',
        {
          input_url: requiredString(values, 'input-url'),
          output_format: stringOption(values, 'output-format'),
          video_codec: stringOption(values, 'video-codec'),
          audio_codec: stringOption(values, 'audio-codec'),
          resolution: stringOption(values, 'resolution'),
          crf: intOption(values, 'crf'),
          preset: stringOption(values, 'preset'),
        },
        values,
      );
    },
  }),
  typedService({
    kind: 'blender',
    summary: 'render frames of a .blend file with Blender',
    usage: '--blend-file-url URL [--frame-start N] [--frame-end N] [--engine cycles|eevee] [options]',
    options: {
      'blend-file-url': { type: 'string', value: 'URL', description: 'where the miner downloads the .blend file' },
      'frame-start': { type: 'string', value: 'N', description: 'first frame (default 1)' },
      'frame-end': { type: 'string', value: 'N', description: 'last frame (default: the first; at most 2880 frames)' },
      engine: {
        type: 'string',
        value: 'ENGINE',
        description: 'cycles (default) or eevee',
        complete: ['cycles', 'eevee'],
      },
    },
    examples: [
      'aitbc submit blender --blend-file-url https://example.com/scene.blend --frame-start 1 --frame-end 24 --engine cycles',
      'aitbc submit blender --blend-file-url https://example.com/scene.blend --set samples=64 --set resolution_x=1280',
    ],
    build(values) {
      return typed(
        '/v1/services/blender/render',
        {
          blend_file_url: requiredString(values, 'blend-file-url'),
          frame_start: intOption(values, 'frame-start'),
          frame_end: intOption(values, 'frame-end'),
          engine: stringOption(values, 'engine'),
        },
        values,
      );
    },
  }),
  {
    kind: 'raw',
    summary: 'any payload, as JSON (POST /v1/jobs)',
    usage: "--payload '{…}' | --payload-file FILE [options]",
    options: {
      payload: { type: 'string', value: 'JSON', description: 'the job payload, a JSON object' },
      'payload-file': {
        type: 'string',
        value: 'FILE',
        description: 'read the payload from FILE (- for stdin)',
        complete: 'file',
      },
      ...JOB_OPTIONS,
    },
    examples: [
      `aitbc submit raw --payload '{"type": "inference", "prompt": "Hi", "model": "llama3.2:latest"}'`,
      'aitbc submit raw --payload-file job.json --constraint gpu=nvidia --constraint min_vram_gb=24',
    ],
    async build(values, io) {
      const option = stringOption(values, 'payload-file') !== undefined ? 'payload-file' : 'payload';
      const payload = parseJsonOption(await textOrFile(values, io, 'payload', 'payload-file'), option);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw usageError(`--${option} must be a JSON object`);
      }
      return { path: '/v1/jobs', body: { payload, ...envelope(values) } };
    },
  },
];
