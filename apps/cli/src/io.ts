import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';

export interface OutputStream {
  write(text: string): void;
  readonly isTTY: boolean;
}

/**
 * Everything the CLI touches outside itself, so commands run the same in a terminal, in a script
 * and in unit tests (which pass fakes).
 */
export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly fetch: typeof fetch;
  now(): number;
  /** resolves after `ms`, or as soon as `signal` aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** in [0, 1): the jitter of retry delays */
  random(): number;
  randomUUID(): string;
  /** a UTF-8 file, or standard input for `-` */
  readText(path: string): Promise<string>;
  /** the mode bits of a file, or null if it does not exist */
  fileMode(path: string): Promise<number | null>;
  readonly homedir: string;
  readonly cwd: string;
  /** runs `handler` on Ctrl-C until the returned function is called */
  onInterrupt(handler: () => void): () => void;
}

export function nodeIo(): Io {
  return {
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, signal?.aborted ? 0 : ms);
        signal?.addEventListener('abort', done, { once: true });
      }),
    random: () => Math.random(),
    randomUUID: () => randomUUID(),
    readText: async (path) => (path === '-' ? readStdin() : readFile(path, 'utf8')),
    fileMode: async (path) => {
      try {
        return (await stat(path)).mode;
      } catch {
        return null;
      }
    },
    homedir: homedir(),
    cwd: process.cwd(),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

function stream(target: NodeJS.WriteStream): OutputStream {
  return {
    write: (text) => void target.write(text),
    get isTTY() {
      return target.isTTY === true;
    },
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
