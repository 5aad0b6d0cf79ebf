/**
 * A protocol-faithful stand-in for Ollama's HTTP API (https://github.com/ollama/ollama/blob/main/docs/api.md),
 * for tests only: GET /api/tags and /api/version, POST /api/generate and /api/chat, streamed as NDJSON by
 * default or as one JSON body with `stream: false`. Replies are deterministic (see `expectedReply`), and
 * failures can be injected: an error status, an error line mid-stream, a reset connection, a hang.
 *
 * In-process: `const ollama = await startOllamaStandIn()`. As a process:
 * `node <compiled file> --port N [--host H] [--models a,b] [--token-delay-ms N]` prints its URL, and is
 * steered through `/__stand-in/*` (see `startOllamaStandInProcess`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandInModel {
  name: string;
  family: string;
  parameter_size: string;
  quantization_level: string;
  size: number;
}

export type StandInFailure =
  /** Answers with this status and `{"error": error}` before any output. */
  | { kind: 'status'; status: number; error: string }
  /** After `afterTokens` tokens, an `{"error": …}` line ends the stream: what Ollama does once it has sent 200. */
  | { kind: 'error-mid-stream'; afterTokens: number; error: string }
  /** Destroys the connection after `afterTokens` tokens. */
  | { kind: 'reset'; afterTokens: number }
  /** Stops sending after `afterTokens` tokens and keeps the connection open until the client leaves. */
  | { kind: 'hang'; afterTokens: number };

/** A failure and where it applies: by default to /api/generate and /api/chat, until cleared. */
export type StandInFailureRule = StandInFailure & { paths?: string[]; once?: boolean };

export interface StandInRequest {
  method: string;
  path: string;
  body: unknown;
  /** `client-closed`: the client left before the answer was complete (an abort); `failed`: an injected failure ended it. */
  outcome: 'open' | 'done' | 'client-closed' | 'failed';
  tokensSent: number;
}

export interface StandInOptions {
  host?: string;
  port?: number;
  models?: Array<string | Partial<StandInModel>>;
  tokenDelayMs?: number;
  version?: string;
}

export interface OllamaStandIn {
  url: string;
  port: number;
  models: StandInModel[];
  /** Every /api request, in arrival order, updated as it proceeds. */
  requests: StandInRequest[];
  setFailure(failure: StandInFailureRule | null): void;
  setTokenDelayMs(ms: number): void;
  waitForRequest(predicate?: (request: StandInRequest) => boolean, timeoutMs?: number): Promise<StandInRequest>;
  /** Generate and chat answers still being written (a hung one counts until its client leaves). */
  inflight(): number;
  /** The most generate and chat answers ever written at once: a client's concurrency, measured exactly. */
  peakInflight(): number;
  close(): Promise<void>;
}

export const STAND_IN_DEFAULT_MODELS: readonly StandInModel[] = [
  { name: 'llama3.2:latest', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M', size: 2019393189 },
  { name: 'qwen2.5:0.5b', family: 'qwen2', parameter_size: '494.03M', quantization_level: 'Q4_K_M', size: 397821319 },
];

const MODIFIED_AT = '2025-01-29T14:50:00.123456789Z';
const LOAD_NS = 5_000_000;
const PROMPT_EVAL_NS_PER_TOKEN = 1_000_000;
const MIN_EVAL_NS_PER_TOKEN = 20_000_000;
const STREAMED_PATHS = ['/api/generate', '/api/chat'];

export interface ExpectedReply {
  tokens: string[];
  text: string;
  done_reason: 'stop' | 'length';
  prompt_eval_count: number;
  eval_count: number;
  load_duration: number;
  prompt_eval_duration: number;
  eval_duration: number;
  total_duration: number;
}

/**
 * What the stand-in answers to a valid generate or chat body: "You said: <the prompt's words>" (the last
 * user message for chat), the words rotated by round(temperature × 10) when temperature > 0, cut to
 * `options.num_predict` tokens (then `done_reason` is "length"). Durations are derived, not measured.
 */
export function expectedReply(
  kind: 'generate' | 'chat',
  body: Record<string, unknown>,
  tokenDelayMs = 0,
): ExpectedReply {
  const options = isRecord(body.options) ? body.options : {};
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const lastUser = messages.filter((message) => message.role === 'user').at(-1)?.content;
  const prompt = kind === 'generate' ? body.prompt : lastUser;
  const inputs = kind === 'generate' ? [body.system, body.prompt] : messages.map((message) => message.content);
  const promptTokens = Math.max(1, inputs.flatMap((input) => words(typeof input === 'string' ? input : '')).length);
  let promptWords = words(typeof prompt === 'string' ? prompt : '');
  const temperature = typeof options.temperature === 'number' ? options.temperature : 0;
  if (temperature > 0 && promptWords.length > 0) {
    const shift = Math.round(temperature * 10) % promptWords.length;
    promptWords = [...promptWords.slice(shift), ...promptWords.slice(0, shift)];
  }
  const natural = ['You', ' said:', ...promptWords.map((word) => ` ${word}`)];
  const limit = typeof options.num_predict === 'number' && options.num_predict >= 0 ? options.num_predict : Infinity;
  const tokens = natural.slice(0, limit);
  const evalNs = tokens.length * Math.max(MIN_EVAL_NS_PER_TOKEN, tokenDelayMs * 1_000_000);
  const promptNs = promptTokens * PROMPT_EVAL_NS_PER_TOKEN;
  return {
    tokens,
    text: tokens.join(''),
    done_reason: tokens.length < natural.length ? 'length' : 'stop',
    prompt_eval_count: promptTokens,
    eval_count: tokens.length,
    load_duration: LOAD_NS,
    prompt_eval_duration: promptNs,
    eval_duration: evalNs,
    total_duration: LOAD_NS + promptNs + evalNs,
  };
}

export async function startOllamaStandIn(options: StandInOptions = {}): Promise<OllamaStandIn> {
  const models = (options.models ?? STAND_IN_DEFAULT_MODELS).map(toModel);
  const version = options.version ?? '0.5.7';
  const requests: StandInRequest[] = [];
  const waiters = new Set<() => void>();
  let tokenDelayMs = options.tokenDelayMs ?? 0;
  let failure: StandInFailureRule | null = null;
  let closed = false;
  let inflight = 0;
  let peakInflight = 0;

  const notify = () => waiters.forEach((wake) => wake());
  const takeFailure = (path: string): StandInFailure | null => {
    if (failure === null || !(failure.paths ?? STREAMED_PATHS).includes(path)) {
      return null;
    }
    const taken = failure;
    if (taken.once) {
      failure = null;
    }
    return taken;
  };
  const findModel = (name: string) =>
    models.find((model) => model.name === name || model.name === `${name}:latest`) ?? null;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { error: String(error) });
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const raw = await readBody(req);
    if (path.startsWith('/__stand-in/')) {
      return control(req.method ?? 'GET', path, raw, res);
    }
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ollama is running');
      return;
    }
    const routes: Record<string, string> = {
      '/api/tags': 'GET',
      '/api/version': 'GET',
      '/api/generate': 'POST',
      '/api/chat': 'POST',
    };
    if (!(path in routes)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    if (routes[path] !== req.method) {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('405 method not allowed');
      return;
    }
    const record: StandInRequest = { method: req.method, path, body: parseOrRaw(raw), outcome: 'open', tokensSent: 0 };
    requests.push(record);
    notify();
    const finish = (outcome: StandInRequest['outcome']) => {
      if (record.outcome === 'open') {
        record.outcome = outcome;
        notify();
      }
    };
    res.on('close', () => finish(res.writableFinished ? 'done' : 'client-closed'));
    const injected = takeFailure(path);
    if (injected?.kind === 'status') {
      finish('failed');
      sendJson(res, injected.status, { error: injected.error });
      return;
    }
    if (path === '/api/tags' || path === '/api/version') {
      if (injected?.kind === 'reset') {
        finish('failed');
        req.socket.destroy();
      } else if (injected?.kind !== 'hang') {
        sendJson(res, 200, path === '/api/tags' ? { models: models.map(tagOf) } : { version });
      }
      return;
    }
    const kind = path === '/api/generate' ? 'generate' : 'chat';
    const problem = validate(kind, raw);
    if (problem) {
      finish('failed');
      sendJson(res, problem.status, { error: problem.error });
      return;
    }
    inflight += 1;
    peakInflight = Math.max(peakInflight, inflight);
    res.on('close', () => (inflight -= 1));
    await answer(kind, JSON.parse(raw) as Record<string, unknown>, record, injected, req, res);
  }

  function validate(kind: 'generate' | 'chat', raw: string): { status: number; error: string } | null {
    if (raw.trim() === '') {
      return { status: 400, error: 'missing request body' };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      return { status: 400, error: `invalid character in request body: ${(error as Error).message}` };
    }
    const type = kind === 'generate' ? 'GenerateRequest' : 'ChatRequest';
    if (!isRecord(body)) {
      return { status: 400, error: `json: cannot unmarshal ${goType(body)} into Go value of type api.${type}` };
    }
    const field = (name: string, expected: string, ok: (value: unknown) => boolean) =>
      body[name] === undefined || ok(body[name])
        ? null
        : `json: cannot unmarshal ${goType(body[name])} into Go struct field ${type}.${name} of type ${expected}`;
    const typeError =
      field('model', 'string', (value) => typeof value === 'string') ??
      field('prompt', 'string', (value) => typeof value === 'string') ??
      field('system', 'string', (value) => typeof value === 'string') ??
      field('stream', 'bool', (value) => typeof value === 'boolean') ??
      field('options', 'map[string]interface {}', isRecord) ??
      field('messages', '[]api.Message', (value) => Array.isArray(value) && value.every(isMessage));
    if (typeError) {
      return { status: 400, error: typeError };
    }
    if (typeof body.model !== 'string' || body.model === '') {
      return { status: 400, error: 'model is required' };
    }
    if (!findModel(body.model)) {
      return { status: 404, error: `model "${body.model}" not found, try pulling it first` };
    }
    const options = isRecord(body.options) ? body.options : {};
    if (options.num_predict !== undefined && !Number.isInteger(options.num_predict)) {
      return { status: 400, error: 'option "num_predict" must be of type integer' };
    }
    if (options.temperature !== undefined && typeof options.temperature !== 'number') {
      return { status: 400, error: 'option "temperature" must be of type float32' };
    }
    return null;
  }

  async function answer(
    kind: 'generate' | 'chat',
    body: Record<string, unknown>,
    record: StandInRequest,
    injected: StandInFailure | null,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const created = () => new Date().toISOString();
    const model = body.model as string;
    const piece = (content: string) =>
      kind === 'generate' ? { response: content } : { message: { role: 'assistant', content } };
    // An empty prompt (or no messages) only loads the model, as in Ollama.
    const empty = kind === 'generate' ? !body.prompt : !Array.isArray(body.messages) || body.messages.length === 0;
    if (empty) {
      sendJson(res, 200, { model, created_at: created(), ...piece(''), done: true, done_reason: 'load' });
      return;
    }
    const reply = expectedReply(kind, body, tokenDelayMs);
    const streaming = body.stream !== false;
    const gone = () => closed || res.destroyed;
    if (streaming) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
    }
    for (const token of reply.tokens) {
      if (injected && injected.kind !== 'status' && record.tokensSent >= injected.afterTokens) {
        return fail(injected, record, req, res);
      }
      await delay(tokenDelayMs);
      if (gone()) {
        return;
      }
      if (streaming) {
        res.write(`${JSON.stringify({ model, created_at: created(), ...piece(token), done: false })}\n`);
      }
      record.tokensSent += 1;
    }
    if (injected && injected.kind !== 'status') {
      return fail(injected, record, req, res);
    }
    const final = {
      model,
      created_at: created(),
      ...piece(streaming ? '' : reply.text),
      done: true,
      done_reason: reply.done_reason,
      ...(kind === 'generate' ? { context: contextOf(reply.tokens) } : {}),
      total_duration: reply.total_duration,
      load_duration: reply.load_duration,
      prompt_eval_count: reply.prompt_eval_count,
      prompt_eval_duration: reply.prompt_eval_duration,
      eval_count: reply.eval_count,
      eval_duration: reply.eval_duration,
    };
    if (streaming) {
      res.end(`${JSON.stringify(final)}\n`);
    } else {
      sendJson(res, 200, final);
    }
  }

  function fail(injected: StandInFailure, record: StandInRequest, req: IncomingMessage, res: ServerResponse): void {
    switch (injected.kind) {
      case 'status':
        return;
      case 'error-mid-stream':
        record.outcome = 'failed';
        notify();
        if (res.headersSent) {
          res.end(`${JSON.stringify({ error: injected.error })}\n`);
        } else {
          sendJson(res, 500, { error: injected.error });
        }
        return;
      case 'reset':
        record.outcome = 'failed';
        notify();
        req.socket.destroy();
        return;
      case 'hang':
        return;
    }
  }

  function control(method: string, path: string, raw: string, res: ServerResponse): void {
    const body = parseOrRaw(raw);
    if (method === 'POST' && path === '/__stand-in/failure') {
      failure = isRecord(body) ? (body as unknown as StandInFailureRule) : null;
      sendJson(res, 200, { failure });
    } else if (method === 'POST' && path === '/__stand-in/token-delay' && isRecord(body)) {
      tokenDelayMs = Number(body.ms) || 0;
      sendJson(res, 200, { ms: tokenDelayMs });
    } else if (method === 'GET' && path === '/__stand-in/requests') {
      sendJson(res, 200, { requests, inflight });
    } else {
      sendJson(res, 404, { error: 'unknown stand-in control' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    port,
    models,
    requests,
    setFailure: (next) => (failure = next),
    setTokenDelayMs: (ms) => (tokenDelayMs = ms),
    inflight: () => inflight,
    peakInflight: () => peakInflight,
    waitForRequest: (predicate = () => true, timeoutMs = 5_000) =>
      new Promise<StandInRequest>((resolve, reject) => {
        const check = () => {
          const found = requests.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching request reached the Ollama stand-in within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface OllamaStandInProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  setFailure(failure: StandInFailureRule | null): Promise<void>;
  setTokenDelayMs(ms: number): Promise<void>;
  requests(): Promise<StandInRequest[]>;
  close(): Promise<void>;
}

/**
 * The stand-in as its own process (for e2e tests that start the miner as a process too). Runs the
 * compiled file when the build has one, else this file transpiled once into the temp directory: the
 * app build (tsconfig.build.json) leaves `test/` out.
 */
export async function startOllamaStandInProcess(
  options: { port?: number; models?: string[]; tokenDelayMs?: number } = {},
): Promise<OllamaStandInProcess> {
  const args = ['--port', String(options.port ?? 0)];
  if (options.models) {
    args.push('--models', options.models.join(','));
  }
  if (options.tokenDelayMs !== undefined) {
    args.push('--token-delay-ms', String(options.tokenDelayMs));
  }
  const child = spawn(process.execPath, [await standInScript(), ...args], { stdio: 'pipe' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^(http:\/\/\S+)$/m.exec(output);
      if (match) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the Ollama stand-in exited (${code}) before listening: ${output}`)));
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await response.body?.cancel();
  };
  return {
    url,
    child,
    setFailure: (failure) => post('/__stand-in/failure', failure),
    setTokenDelayMs: (ms) => post('/__stand-in/token-delay', { ms }),
    requests: async () => {
      const response = await fetch(`${url}/__stand-in/requests`);
      return ((await response.json()) as { requests: StandInRequest[] }).requests;
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function standInScript(): Promise<string> {
  const compiled = join(process.cwd(), 'dist', 'test', 'support', 'ollama-stand-in.js');
  if (existsSync(compiled)) {
    return compiled;
  }
  const source = await readFile(join(process.cwd(), 'test', 'support', 'ollama-stand-in.ts'), 'utf8');
  // Named as below so that the file knows it is the main module (see the end of this file).
  const directory = join(
    tmpdir(),
    'aitbc-ollama-stand-in',
    createHash('sha256').update(source).digest('hex').slice(0, 16),
  );
  const file = join(directory, 'ollama-stand-in.cjs');
  if (!existsSync(file)) {
    const { default: ts } = await import('typescript');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    await mkdir(directory, { recursive: true });
    // Written aside and renamed, so that a concurrent test run never starts half a file.
    await writeFile(`${file}.${process.pid}`, outputText);
    await rename(`${file}.${process.pid}`, file);
  }
  return file;
}

function toModel(model: string | Partial<StandInModel>): StandInModel {
  const given = typeof model === 'string' ? { name: model } : model;
  const name = given.name ?? 'llama3.2:latest';
  return {
    name: name.includes(':') ? name : `${name}:latest`,
    family: given.family ?? 'llama',
    parameter_size: given.parameter_size ?? '3.2B',
    quantization_level: given.quantization_level ?? 'Q4_K_M',
    size: given.size ?? 2019393189,
  };
}

function tagOf(model: StandInModel) {
  return {
    name: model.name,
    model: model.name,
    modified_at: MODIFIED_AT,
    size: model.size,
    digest: createHash('sha256').update(model.name).digest('hex'),
    details: {
      parent_model: '',
      format: 'gguf',
      family: model.family,
      families: [model.family],
      parameter_size: model.parameter_size,
      quantization_level: model.quantization_level,
    },
  };
}

function contextOf(tokens: string[]): number[] {
  return tokens.map((token) => createHash('sha256').update(token).digest().readUInt16BE(0));
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.role === 'string' &&
    (value.content === undefined || typeof value.content === 'string')
  );
}

function goType(value: unknown): string {
  if (Array.isArray(value)) {
    return 'array';
  }
  return value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
}

function parseOrRaw(raw: string): unknown {
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number): Promise<void> {
  // Even without a delay each token goes out in its own turn, so clients see tokens split across chunks.
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

async function main(argv: string[]): Promise<void> {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const standIn = await startOllamaStandIn({
    host: value('--host'),
    port: Number(value('--port') ?? 11434),
    models: value('--models')?.split(','),
    tokenDelayMs: Number(value('--token-delay-ms') ?? 0),
  });
  process.stdout.write(`${standIn.url}\n`);
  const stop = () => void standIn.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (/ollama-stand-in\.c?js$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`ollama stand-in: ${String(error)}\n`);
    process.exit(1);
  });
}
