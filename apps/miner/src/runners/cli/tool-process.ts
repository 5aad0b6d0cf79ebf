import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

export interface ProcessLimits {
  nice: number;
  memoryLimitMb: number | null;
  /** Largest file the process may write (RLIMIT_FSIZE); only enforced through prlimit. */
  fileSizeLimitBytes: number | null;
}

/** The helper programs found on this machine; each is optional. */
export interface Launchers {
  prlimit: string | null;
  nice: string | null;
  shell: string;
}

export interface LimitedCommand {
  command: string;
  args: string[];
  /** True when no `nice` program wraps the tool, so the caller renices it after the spawn. */
  reniceAfterSpawn: boolean;
}

/**
 * The command that runs `executable` under the limits. Arguments are passed as argv, never through a
 * shell's parser: the fallback shell receives them as "$@".
 */
export function limitedCommand(
  executable: string,
  args: readonly string[],
  limits: ProcessLimits,
  launchers: Launchers,
): LimitedCommand {
  const niced = launchers.nice !== null && limits.nice !== 0;
  const tool = niced
    ? [launchers.nice as string, '-n', String(limits.nice), executable, ...args]
    : [executable, ...args];
  const reniceAfterSpawn = !niced && limits.nice !== 0;
  const memoryBytes = limits.memoryLimitMb === null ? null : limits.memoryLimitMb * 1024 * 1024;
  if (launchers.prlimit !== null && (memoryBytes !== null || limits.fileSizeLimitBytes !== null)) {
    const rlimits = [
      ...(memoryBytes === null ? [] : [`--as=${memoryBytes}:${memoryBytes}`]),
      ...(limits.fileSizeLimitBytes === null
        ? []
        : [`--fsize=${limits.fileSizeLimitBytes}:${limits.fileSizeLimitBytes}`]),
    ];
    return { command: launchers.prlimit, args: [...rlimits, '--', ...tool], reniceAfterSpawn };
  }
  if (memoryBytes !== null) {
    return {
      command: launchers.shell,
      args: ['-c', 'ulimit -v "$1" && shift && exec "$@"', 'sh', String(memoryBytes / 1024), ...tool],
      reniceAfterSpawn,
    };
  }
  const [command, ...rest] = tool;
  return { command, args: rest, reniceAfterSpawn };
}

export interface ToolRunOptions {
  command: LimitedCommand;
  cwd: string;
  env: NodeJS.ProcessEnv;
  nice: number;
  /** Aborting stops the whole process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  killGraceMs: number;
  tailBytes: number;
}

export interface ToolExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when we stopped it (abort), so a SIGKILL was ours and not the kernel's. */
  killedByUs: boolean;
  spawnError: NodeJS.ErrnoException | null;
  stdoutTail: string;
  stderrTail: string;
}

/**
 * Runs the command in its own process group (`detached`), so that a stop reaches every process the
 * tool started, and kills what is left of the group once the tool itself has exited.
 */
export async function runTool(options: ToolRunOptions): Promise<ToolExit> {
  const { command } = options;
  const stdout = new Tail(options.tailBytes);
  const stderr = new Tail(options.tailBytes);
  const child = spawn(command.command, command.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  const killGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) {
      return;
    }
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone
    }
  };
  if (pid !== undefined && command.reniceAfterSpawn) {
    try {
      setPriority(pid, options.nice);
    } catch {
      // the tool may already have exited
    }
  }
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let killedByUs = false;
  let escalation: NodeJS.Timeout | undefined;
  const stop = () => {
    killedByUs = true;
    killGroup('SIGTERM');
    escalation = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
  };
  options.signal.addEventListener('abort', stop, { once: true });
  if (options.signal.aborted) {
    stop();
  }
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal, error: null }));
    },
  );
  options.signal.removeEventListener('abort', stop);
  clearTimeout(escalation);
  killGroup('SIGKILL');
  if (exit.error === null) {
    // Output still buffered in the pipes arrives before 'close'; a process that left the group
    // (setsid) could hold them open for ever, so the wait is bounded.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => (bound = setTimeout(resolve, options.killGraceMs + 1000))),
    ]);
    clearTimeout(bound);
    child.stdout.destroy();
    child.stderr.destroy();
  }
  return {
    exitCode: exit.code,
    signal: exit.signal,
    killedByUs,
    spawnError: exit.error,
    stdoutTail: stdout.text(),
    stderrTail: stderr.text(),
  };
}

/** Keeps the last `max` bytes of a stream. */
export class Tail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= this.max) {
      this.size -= this.chunks[0].length;
      this.chunks.shift();
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}
