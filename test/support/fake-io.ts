import type { Io } from '../../apps/cli/src/io';

/** A request the CLI made through a fake fetch. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type FakeFetch = (request: SeenRequest) => Response | Promise<Response>;

export interface FakeIo extends Io {
  stdoutText(): string;
  stderrText(): string;
  /** every request, in order */
  requests: SeenRequest[];
  /** every sleep asked for, in ms (sleeps resolve at once) */
  sleeps: number[];
  /** presses Ctrl-C: runs the handlers `onInterrupt` holds; false when none was listening */
  interrupt(): boolean;
}

/**
 * An Io for unit tests of the CLI: no network, no disk, no clock. `fetch` answers from `handler`;
 * files come from `files`; sleeps return at once and are recorded; `interrupt()` stands for Ctrl-C.
 */
export function fakeIo(
  options: {
    fetch?: FakeFetch;
    files?: Record<string, string>;
    modes?: Record<string, number>;
    tty?: boolean;
    random?: number;
    cwd?: string;
  } = {},
): FakeIo {
  let stdout = '';
  let stderr = '';
  let clock = Date.parse('2026-11-22T10:00:00.000Z');
  const requests: SeenRequest[] = [];
  const sleeps: number[] = [];
  const interruptHandlers = new Set<() => void>();
  const files = options.files ?? {};
  const io: FakeIo = {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty ?? false },
    fetch: async (input, init) => {
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const text = typeof init?.body === 'string' ? init.body : undefined;
      const request: SeenRequest = {
        method: init?.method ?? 'GET',
        url: input instanceof Request ? input.url : String(input),
        headers,
        body: text === undefined ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);
      if (!options.fetch) {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        });
      }
      return options.fetch(request);
    },
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    random: () => options.random ?? 0.5,
    randomUUID: () => '00000000-0000-4000-8000-000000000001',
    readText: (path) =>
      path in files
        ? Promise.resolve(files[path])
        : Promise.reject(Object.assign(new Error('no such file'), { code: 'ENOENT' })),
    fileMode: (path) => Promise.resolve(path in files ? (options.modes?.[path] ?? 0o100600) : null),
    homedir: '/home/test',
    cwd: options.cwd ?? '/work/project',
    onInterrupt: (handler) => {
      const held = () => handler();
      interruptHandlers.add(held);
      return () => void interruptHandlers.delete(held);
    },
    interrupt: () => {
      const handlers = [...interruptHandlers];
      handlers.forEach((handler) => handler());
      return handlers.length > 0;
    },
    stdoutText: () => stdout,
    stderrText: () => stderr,
    requests,
    sleeps,
  };
  return io;
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The coordinator's error envelope. */
export function envelope(status: number, code: string, detail: string): Response {
  return json(status, { detail, error: { code, status, details: [] }, request_id: 'req-1' });
}

/** A network failure as undici reports it. */
export function networkError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}
