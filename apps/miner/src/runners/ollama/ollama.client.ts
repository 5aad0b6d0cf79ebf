import { NdjsonError, readNdjson } from './ndjson';

/**
 * `unreachable`: no connection, or it broke (retryable); `http`: Ollama answered with an error status;
 * `stream`: an `{"error": …}` line in a stream that had already started; `protocol`: not Ollama's protocol.
 */
export type OllamaErrorKind = 'unreachable' | 'http' | 'stream' | 'protocol';

export class OllamaError extends Error {
  constructor(
    readonly kind: OllamaErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'OllamaError';
  }
}

/** The sampling options a job may set; Ollama ignores the ones it does not know. */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  num_predict?: number;
  seed?: number;
  stop?: string[];
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface OllamaGenerateRequest {
  model: string;
  prompt: string;
  system?: string;
  options?: OllamaOptions;
}

export type OllamaRole = 'system' | 'user' | 'assistant' | 'tool';

export interface OllamaChatMessage {
  role: OllamaRole;
  content: string;
}

export interface OllamaChatRequest {
  model: string;
  messages: OllamaChatMessage[];
  options?: OllamaOptions;
}

/** The figures of a stream's last chunk; durations are nanoseconds, as Ollama sends them. */
export interface OllamaStats {
  done_reason: string;
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

export type OllamaChunk = { text: string; done: false } | { text: string; done: true; stats: OllamaStats };

export interface OllamaClientOptions {
  baseUrl: string;
  /** For the short calls (`tags`, `version`); generation is bounded by the caller's signal. */
  requestTimeoutMs?: number;
  maxLineChars?: number;
}

const ERROR_BODY_CHARS = 4096;

/** A small client for the parts of Ollama's HTTP API the miner uses (https://github.com/ollama/ollama/blob/main/docs/api.md). */
export class OllamaClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly origin: string;
  private readonly requestTimeoutMs: number;
  private readonly maxLineChars: number;

  constructor(options: OllamaClientOptions) {
    // fetch refuses URLs with credentials; an Ollama behind a proxy with basic auth gets them as a header.
    const url = new URL(options.baseUrl);
    this.headers =
      url.username || url.password
        ? {
            authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`,
          }
        : {};
    url.username = '';
    url.password = '';
    this.base = url.href.replace(/\/+$/, '');
    this.origin = url.origin;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxLineChars = options.maxLineChars ?? 1 << 20;
  }

  /** The names of the installed models (`GET /api/tags`). */
  async tags(signal?: AbortSignal): Promise<string[]> {
    const body = await this.getJson('/api/tags', signal);
    const models = isRecord(body) ? body.models : undefined;
    if (!Array.isArray(models)) {
      throw new OllamaError('protocol', `${this.origin}/api/tags did not return a list of models`);
    }
    return models.flatMap((model) => (isRecord(model) && typeof model.name === 'string' ? [model.name] : []));
  }

  async version(signal?: AbortSignal): Promise<string> {
    const body = await this.getJson('/api/version', signal);
    if (!isRecord(body) || typeof body.version !== 'string') {
      throw new OllamaError('protocol', `${this.origin}/api/version did not return a version`);
    }
    return body.version;
  }

  generate(request: OllamaGenerateRequest, signal: AbortSignal): AsyncGenerator<OllamaChunk> {
    return this.stream('/api/generate', request, (value) => value.response, signal);
  }

  chat(request: OllamaChatRequest, signal: AbortSignal): AsyncGenerator<OllamaChunk> {
    return this.stream('/api/chat', request, (value) => (isRecord(value.message) ? value.message.content : ''), signal);
  }

  private async *stream(
    path: string,
    request: object,
    textOf: (value: Record<string, unknown>) => unknown,
    signal: AbortSignal,
  ): AsyncGenerator<OllamaChunk> {
    // Our own controller, so that a consumer that stops early also closes the connection.
    const controller = new AbortController();
    const forward = () => controller.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    if (signal.aborted) {
      forward();
    }
    let stage: 'connect' | 'body' = 'connect';
    try {
      const response = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ ...request, stream: true }),
        signal: controller.signal,
      });
      stage = 'body';
      if (!response.ok) {
        throw await this.httpError(response);
      }
      if (!response.body) {
        throw new OllamaError('protocol', `${this.origin}${path} answered without a body`);
      }
      for await (const value of readNdjson(response.body, this.maxLineChars)) {
        const chunk = this.chunkOf(value, textOf);
        yield chunk;
        if (chunk.done) {
          return;
        }
      }
      throw new OllamaError('unreachable', `Ollama at ${this.origin} ended the response before it was done`);
    } catch (error) {
      throw controller.signal.aborted ? error : this.translate(error, stage);
    } finally {
      signal.removeEventListener('abort', forward);
      controller.abort();
    }
  }

  private chunkOf(value: unknown, textOf: (value: Record<string, unknown>) => unknown): OllamaChunk {
    if (!isRecord(value)) {
      throw new OllamaError('protocol', `Ollama at ${this.origin} sent a line that is not an object`);
    }
    if (typeof value.error === 'string') {
      throw new OllamaError('stream', value.error);
    }
    const raw = textOf(value);
    const text = typeof raw === 'string' ? raw : '';
    if (value.done !== true) {
      return { text, done: false };
    }
    const count = (key: keyof OllamaStats) => (typeof value[key] === 'number' ? value[key] : 0);
    return {
      text,
      done: true,
      stats: {
        done_reason: typeof value.done_reason === 'string' ? value.done_reason : 'stop',
        total_duration: count('total_duration'),
        load_duration: count('load_duration'),
        prompt_eval_count: count('prompt_eval_count'),
        prompt_eval_duration: count('prompt_eval_duration'),
        eval_count: count('eval_count'),
        eval_duration: count('eval_duration'),
      },
    };
  }

  private async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await fetch(`${this.base}${path}`, { headers: this.headers, signal: combined });
      if (!response.ok) {
        throw await this.httpError(response);
      }
      return await response.json();
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) {
        throw new OllamaError(
          'unreachable',
          `Ollama at ${this.origin} did not answer within ${this.requestTimeoutMs} ms`,
        );
      }
      throw signal?.aborted ? error : this.translate(error, 'connect');
    }
  }

  private async httpError(response: Response): Promise<OllamaError> {
    const text = await readCapped(response, ERROR_BODY_CHARS).catch(() => '');
    let message = text.trim() || response.statusText || 'no details';
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed) && typeof parsed.error === 'string') {
        message = parsed.error;
      }
    } catch {
      // Not every error body is JSON (a proxy in front of Ollama, an old version's 404 page).
    }
    return new OllamaError('http', message, response.status);
  }

  private translate(error: unknown, stage: 'connect' | 'body'): Error {
    if (error instanceof OllamaError) {
      return error;
    }
    if (error instanceof NdjsonError) {
      return new OllamaError('protocol', `Ollama at ${this.origin} sent a bad stream: ${error.message}`);
    }
    if (error instanceof SyntaxError) {
      return new OllamaError('protocol', `Ollama at ${this.origin} sent invalid JSON`);
    }
    const detail = networkDetail(error);
    return new OllamaError(
      'unreachable',
      stage === 'connect'
        ? `Ollama is unreachable at ${this.origin} (${detail})`
        : `Ollama at ${this.origin} is unreachable: the connection was lost mid-response (${detail})`,
    );
  }
}

/**
 * Undici hides the socket's error code in `cause`; it is the useful part. Duck-typed: undici's errors
 * come from another realm than ours under test runners, so `instanceof Error` does not hold.
 */
function networkDetail(error: unknown): string {
  const { cause, message } = (error ?? {}) as { cause?: unknown; message?: unknown };
  if (typeof cause === 'object' && cause !== null) {
    const { code, message: causeMessage } = cause as { code?: unknown; message?: unknown };
    // An errno (ECONNREFUSED) says it best; undici's own codes (UND_ERR_SOCKET) less than their message.
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return code;
    }
    if (typeof causeMessage === 'string' && causeMessage !== '') {
      return causeMessage;
    }
  }
  return typeof message === 'string' ? message : String(error);
}

async function readCapped(response: Response, maxChars: number): Promise<string> {
  if (!response.body) {
    return '';
  }
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length >= maxChars) {
      break; // leaving the loop cancels the rest of the body
    }
  }
  return text.slice(0, maxChars);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
