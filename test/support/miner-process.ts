import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { MinerStatus } from '../../apps/miner/src/http/miner-status';
import { TEST_KEYS } from './coordinator';
import { freePort, startNode } from './processes';
import { waitFor } from './wait-for';

/** The test GPU: `test/fixtures/bin/nvidia-smi` reports one RTX 4090 with CUDA 12.4. */
export const FAKE_NVIDIA_SMI = join(process.cwd(), 'test/fixtures/bin/nvidia-smi');

export interface MinerProcess {
  url: string;
  stateDir: string;
  output(): string;
  /** SIGTERM: the daemon drains and exits. */
  stop(): Promise<number | null>;
  /** kill -9: no shutdown at all. */
  kill(): void;
  exited: Promise<number | null>;
  child: ChildProcess;
  status(): Promise<MinerStatus>;
}

export interface MinerProcessOptions {
  coordinatorUrl: string;
  ollamaUrl?: string;
  minerId?: string;
  /** Reuse a state dir (key and job journal) to restart "the same" miner. */
  stateDir?: string;
  env?: Record<string, string>;
  /** Wait until the miner reports this state (default: online). */
  waitFor?: 'online' | 'registering' | 'none';
}

/** The built miner daemon as a real OS process, with its own state dir and quick intervals. */
export async function startMinerProcess(options: MinerProcessOptions): Promise<MinerProcess> {
  const port = await freePort();
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'aitbc-miner-'));
  const node = startNode('apps/miner/src/main.js', {
    MINER_PORT: String(port),
    MINER_HOST: '127.0.0.1',
    COORDINATOR_URL: options.coordinatorUrl,
    MINER_API_KEY: TEST_KEYS.miner,
    MINER_ID: options.minerId ?? 'gpu-a',
    // a free port nobody listens on (fetch refuses "bad" ports such as 1)
    OLLAMA_URL: options.ollamaUrl ?? `http://127.0.0.1:${await freePort()}`,
    MINER_STATE_DIR: stateDir,
    MINER_HEARTBEAT_INTERVAL_SECONDS: '1',
    MINER_POLL_WAIT_SECONDS: '5',
    MINER_PROBE_INTERVAL_SECONDS: '5',
    NVIDIA_SMI: FAKE_NVIDIA_SMI,
    MINER_ALLOWLIST_DIR: join(process.cwd(), 'apps/miner/allowlist.d'),
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  const status = async () => (await request(url).get('/v1/status')).body as MinerStatus;
  const wanted = options.waitFor ?? 'online';
  if (wanted !== 'none') {
    try {
      await Promise.race([
        waitFor(
          async () => {
            const res = await request(url).get('/healthz');
            return res.status === 200 && res.body.state === wanted;
          },
          { timeoutMs: 30_000, message: `miner on ${url} ${wanted}` },
        ),
        // a daemon that refuses its configuration exits at once: say so now, not after the timeout
        node.exited.then((code) => {
          throw new Error(`miner on ${url} exited (code ${code}) before it was ${wanted}`);
        }),
      ]);
    } catch (error) {
      node.child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${node.output()}`, { cause: error });
    }
  }
  return { ...node, url, stateDir, status };
}
