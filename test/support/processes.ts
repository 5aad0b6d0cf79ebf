import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Compiled entry points (`npm test` builds first, in its pretest step). */
export const DIST = join(process.cwd(), 'dist');

export function runNode(file: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(DIST, file), ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

export function startNode(file: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(DIST, file)], { env: { PATH: process.env.PATH, ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    /** SIGTERM, then the exit code */
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    /** kill -9: no shutdown at all */
    kill: () => child.kill('SIGKILL'),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
