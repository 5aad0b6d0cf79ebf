import type { KeyRole } from './command';
import { redactUrl, requireKey, type CliConfig } from './config';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import type { Io } from './io';
import { parseSse, type SseMessage } from './sse';

/** Retries after the first attempt, for network failures, 429 and 502/503/504 (the seed: "maximum 3 retries"). */
export const MAX_RETRIES = 3;
const BASE_DELAY_MS = 250;
/** a 429 asking for a longer pause than this is reported, not waited out */
const MAX_RETRY_AFTER_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** the coordinator sends a keepalive every 15 s: a stream silent for this long is dead */
const STREAM_IDLE_MS = 45_000;

/**
 * `safe`: the request may be sent again whatever happened to the first (reads, and submits that
 * carry an Idempotency-Key). `unsafe`: only when it provably never reached the coordinator
 * (the connection was refused), since a lost answer may hide a done deed (a deposit). `never`: one
 * attempt (health checks report what they see).
 */
export type RetryPolicy = 'safe' | 'unsafe' | 'never';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** default: `safe` for GET, `unsafe` otherwise */
  retry?: RetryPolicy;
  /** statuses besides 2xx whose body is an answer, not an error (a 503 readiness report) */
  answerStatuses?: readonly number[];
  /** false for public routes: no key is needed or sent */
  auth?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
}

/** The coordinator's API over fetch: auth header, retries with backoff and jitter, errors → exit codes. */
export class HttpClient {
  constructor(
    private readonly config: Pick<CliConfig, 'url' | 'apiKey' | 'keySource'>,
    private readonly io: Io,
    private readonly role: KeyRole,
  ) {}

  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>('GET', path, options)).body;
  }

  async post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>('POST', path, { ...options, body })).body;
  }

  /** One request, retried as its policy allows; a 2xx answer, or a CliError. */
  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.urlOf(path, options.query);
    const policy = options.retry ?? (method === 'GET' ? 'safe' : 'unsafe');
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(options.auth === false ? {} : this.authHeader()),
      ...options.headers,
    };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await this.io.fetch(url, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        text = await response.text();
      } catch (error) {
        const failure = networkFailure(error);
        const mayRepeat = policy === 'safe' || (policy === 'unsafe' && failure.neverSent);
        if (attempt < MAX_RETRIES && failure.retryable && mayRepeat) {
          await this.io.sleep(this.backoffMs(attempt));
          continue;
        }
        throw this.unreachable(failure.reason, attempt + 1);
      }
      const parsed = parseJson(text);
      if ((status >= 200 && status < 300) || options.answerStatuses?.includes(status)) {
        return { status, body: parsed as T };
      }
      const waitMs = this.retryDelayMs(status, policy, attempt, retryAfter);
      if (waitMs !== null) {
        await this.io.sleep(waitMs);
        continue;
      }
      throw this.refused(status, parsed, attempt + 1);
    }
  }

  /**
   * The Server-Sent Events of `path`, until the server closes the stream. Not retried: a caller
   * that loses the stream falls back to polling. Throws a CliError when it cannot be opened.
   */
  async *events(path: string, signal: AbortSignal): AsyncGenerator<SseMessage> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    let idle = setTimeout(abort, REQUEST_TIMEOUT_MS);
    try {
      let response: Response;
      try {
        response = await this.io.fetch(this.urlOf(path), {
          headers: { Accept: 'text/event-stream', ...this.authHeader() },
          signal: controller.signal,
        });
      } catch (error) {
        throw this.unreachable(networkFailure(error).reason, 1);
      }
      if (!response.ok) {
        throw this.refused(response.status, parseJson(await response.text().catch(() => '')), 1);
      }
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
        await response.body?.cancel();
        throw new CliError(EXIT.unreachable, 'the coordinator did not open an event stream');
      }
      const decoder = new TextDecoder();
      let buffer = '';
      const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      try {
        for (;;) {
          clearTimeout(idle);
          idle = setTimeout(abort, STREAM_IDLE_MS);
          const { value, done } = await reader.read();
          if (done) {
            return;
          }
          const { messages, rest } = parseSse(buffer + decoder.decode(value, { stream: true }));
          buffer = rest;
          yield* messages;
        }
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        const reason = controller.signal.aborted ? 'the event stream went silent' : networkFailure(error).reason;
        throw this.unreachable(reason, 1);
      } finally {
        reader.releaseLock();
        await response.body.cancel().catch(() => undefined);
      }
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', abort);
    }
  }

  private urlOf(path: string, query: RequestOptions['query'] = {}): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        search.set(name, String(value));
      }
    }
    const text = search.toString();
    return `${this.config.url}${path}${text ? `?${text}` : ''}`;
  }

  /** The key header for the command's role; a command that needs a key and has none fails here, before sending. */
  private authHeader(): Record<string, string> {
    return this.role === 'none' ? {} : { 'X-Api-Key': requireKey(this.config) };
  }

  /** Exponential (250, 500, 1000 ms) with jitter: half fixed, half random, so clients do not retry in step. */
  private backoffMs(attempt: number): number {
    const exponential = BASE_DELAY_MS * 2 ** attempt;
    return Math.round(exponential / 2 + (this.io.random() * exponential) / 2);
  }

  /** How long to wait before retrying a refused request, or null to report it. */
  private retryDelayMs(status: number, policy: RetryPolicy, attempt: number, retryAfter: string | null): number | null {
    if (attempt >= MAX_RETRIES || policy === 'never') {
      return null;
    }
    if (status === 429) {
      // a 429 was refused before anything was done: safe to repeat for any request
      const asked = Number(retryAfter) * 1000;
      const wait = Number.isFinite(asked) && asked > 0 ? asked : this.backoffMs(attempt);
      return wait <= MAX_RETRY_AFTER_MS ? Math.max(wait, this.backoffMs(attempt)) : null;
    }
    return policy === 'safe' && (status === 502 || status === 503 || status === 504) ? this.backoffMs(attempt) : null;
  }

  private unreachable(reason: string, attempts: number): CliError {
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    return new CliError(EXIT.unreachable, `cannot reach ${redactUrl(this.config.url)}: ${reason}${tries}`);
  }

  /** The coordinator's error envelope as one line (its `detail`) with the exit code of its status. */
  private refused(status: number, body: unknown, attempts: number): CliError {
    const envelope = (typeof body === 'object' && body !== null ? body : {}) as {
      detail?: unknown;
      error?: { code?: unknown };
      request_id?: unknown;
    };
    const detail = typeof envelope.detail === 'string' && envelope.detail !== '' ? envelope.detail : `HTTP ${status}`;
    const code = typeof envelope.error?.code === 'string' ? envelope.error.code : null;
    const requestId = typeof envelope.request_id === 'string' ? envelope.request_id : null;
    const exitCode = exitCodeOf(status);
    const notes = [code ? `${status} ${code}` : String(status)];
    if ((status === 401 || status === 403) && this.config.keySource) {
      notes.push(`key from ${this.config.keySource}`);
    }
    if (status >= 500 && requestId) {
      notes.push(`request id ${requestId}`);
    }
    if (attempts > 1) {
      notes.push(`after ${attempts} attempts`);
    }
    return new CliError(exitCode, `${detail} (${notes.join('; ')})`, { status, code, request_id: requestId });
  }
}

export function exitCodeOf(status: number): ExitCode {
  if (status === 401 || status === 403) {
    return EXIT.auth;
  }
  if (status === 404 || status === 410) {
    return EXIT.notFound;
  }
  if (status === 408 || status === 429 || status >= 500) {
    return EXIT.unreachable;
  }
  return EXIT.usage;
}

function parseJson(text: string): unknown {
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'the connection closed before the answer',
  ETIMEDOUT: 'connection timed out',
};

/**
 * What went wrong with a fetch that produced no response, whether the request surely never left,
 * and whether trying again could help.
 */
export function networkFailure(error: unknown): { reason: string; neverSent: boolean; retryable: boolean } {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { reason: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`, neverSent: false, retryable: true };
  }
  const code = errorCode(error);
  if (code !== null) {
    return { reason: REASONS[code] ?? code, neverSent: NEVER_SENT.has(code), retryable: true };
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : null;
  if (cause === 'bad port') {
    // fetch never connects to ports such as 1, 25 or 6000 (the WHATWG "bad ports")
    return { reason: 'fetch refuses to connect to this port (a "bad port")', neverSent: true, retryable: false };
  }
  return {
    reason: cause ?? (error instanceof Error ? error.message : String(error)),
    neverSent: false,
    retryable: true,
  };
}

/** The system or undici error code somewhere in a fetch error's cause chain. */
function errorCode(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      return code;
    }
    if (Array.isArray(errors) && errors.length > 0) {
      return errorCode(errors[0]);
    }
    current = cause;
  }
  return null;
}
