import type { Pool } from 'pg';
import { Api } from './api';
import { CoordinatorUnderTest, bootCoordinator, testEnv } from './coordinator';
import { MinerProcess, MinerProcessOptions, startMinerProcess } from './miner-process';
import { OllamaStandIn, startOllamaStandIn } from './ollama-stand-in';
import { clearDispatch, createTestPool } from './test-database';

export interface MinerSuite {
  /** booted in beforeAll */
  coordinator: CoordinatorUnderTest;
  api: Api;
  /** a fresh stand-in for every test; a test that restarts it assigns the new one here */
  ollama: OllamaStandIn;
  pool: Pool;
  /** a miner daemon process against this suite's coordinator and stand-in, killed after the test */
  startMiner(options?: Partial<MinerProcessOptions>): Promise<MinerProcess>;
}

/**
 * The fixture every miner-daemon e2e suite shares: one coordinator booted with `env` (over the
 * test defaults); before each test an empty dispatch queue, earlier suites' miners OFFLINE and a
 * fresh Ollama stand-in; after it, every miner it started killed. Call it inside a `describe`.
 */
export function minerSuite(env: Record<string, string>): MinerSuite {
  const miners: MinerProcess[] = [];
  const suite = {
    pool: createTestPool(),
    async startMiner(options: Partial<MinerProcessOptions> = {}) {
      const miner = await startMinerProcess({
        coordinatorUrl: suite.coordinator.url,
        ollamaUrl: suite.ollama.url,
        ...options,
      });
      miners.push(miner);
      return miner;
    },
  } as MinerSuite;

  beforeAll(async () => {
    suite.coordinator = await bootCoordinator(testEnv(env));
    suite.api = new Api(suite.coordinator.url);
  });

  beforeEach(async () => {
    await clearDispatch(suite.pool);
    await suite.pool.query("UPDATE miners SET status = 'OFFLINE'");
    suite.ollama = await startOllamaStandIn();
  });

  afterEach(async () => {
    for (const miner of miners.splice(0)) {
      miner.kill();
      await miner.exited;
    }
    await suite.ollama.close();
  });

  afterAll(async () => {
    await suite.coordinator.stop();
    await suite.pool.end();
  });

  return suite;
}
