import request from 'supertest';
import { freePort, startNode } from './processes';
import { testEnv } from './coordinator';
import { waitFor } from './wait-for';

export interface CoordinatorProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
  /** kill -9: no shutdown at all */
  kill(): void;
  exited: Promise<number | null>;
}

/** A second coordinator as a real OS process (the built `main.js`), on the same database and Redis. */
export async function startCoordinatorProcess(overrides: Record<string, string> = {}): Promise<CoordinatorProcess> {
  // a fixed PORT lets a test restart "the same" coordinator
  const port = overrides.PORT ? Number(overrides.PORT) : await freePort();
  const node = startNode('apps/coordinator/src/main.js', {
    ...testEnv({ PORT: String(port), LOG_LEVEL: 'warn', ...overrides }),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await request(url).get('/health/ready')).status === 200, {
      timeoutMs: 30_000,
      message: `coordinator process on ${url}`,
    });
  } catch (error) {
    node.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${node.output()}`, { cause: error });
  }
  return { ...node, url };
}
