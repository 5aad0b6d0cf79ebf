import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST } from './processes';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** everything written so far */
  stdout(): string;
  stderr(): string;
  done: Promise<CliRun>;
}

/** A home and working directory with no profile file and no dev keys, so only the given env configures the CLI. */
export function emptyHome(): string {
  return mkdtempSync(join(tmpdir(), 'aitbc-cli-'));
}

/**
 * Runs the built `aitbc` (dist/apps/cli/src/main.js) as a child process, without blocking this
 * process (an in-process coordinator keeps serving while it runs).
 */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  { cwd = emptyHome(), file = join(DIST, 'apps/cli/src/main.js') }: { cwd?: string; file?: string } = {},
): RunningCli {
  const child = spawn(file.endsWith('.sh') ? file : process.execPath, file.endsWith('.sh') ? args : [file, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aitbc ${args.join(' ')} did not finish within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  return { stdout: () => stdout, stderr: () => stderr, done };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, options?: { cwd?: string; file?: string }) {
  return startCli(args, env, options).done;
}
