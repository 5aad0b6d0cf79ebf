import { Writable } from 'node:stream';
import { RunningCoordinator, startCoordinator } from '../../apps/coordinator/src/bootstrap';
import { createRootLogger } from '@aitbc/contracts';
import { testDatabaseUrl, testRedisUrl } from './test-database';

export const TEST_KEYS = {
  client: 'client-key-for-tests-0001',
  miner: 'miner-key-for-tests-0001',
  admin: 'admin-key-for-tests-0001',
};

/** The environment of a coordinator under test: real Postgres and Redis, fixed keys, any free port. */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    APP_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    // several coordinators run at once in some suites: keep well inside max_connections (100)
    DATABASE_POOL_SIZE: '6',
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    CLIENT_API_KEYS: `alice:${TEST_KEYS.client}`,
    MINER_API_KEYS: `rig-1:${TEST_KEYS.miner}`,
    ADMIN_API_KEYS: `ops:${TEST_KEYS.admin}`,
    ...overrides,
  };
}

export interface CoordinatorUnderTest extends RunningCoordinator {
  /** every JSON log line written so far */
  logs(): Record<string, unknown>[];
}

/** Boots the real coordinator (the same path as `main.ts`) and captures its JSON log. */
export async function bootCoordinator(env: NodeJS.ProcessEnv = testEnv()): Promise<CoordinatorUnderTest> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createRootLogger({ logLevel: 'info' }, 'coordinator', sink);
  const running = await startCoordinator(env, logger);
  return { ...running, logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
