import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { TEST_KEYS, testEnv } from '../support/coordinator';
import { FAKE_NVIDIA_SMI } from '../support/miner-process';
import { freePort, startNode } from '../support/processes';
import { waitFor } from '../support/wait-for';

/**
 * `npm start`'s launcher (scripts/start.ts) as a real process, against the test database: the
 * coordinator, then one miner that registers with it; SIGTERM stops both and exits 0. (The embedded
 * database of a zero-setup start has its own suite: embedded-start.test.ts.)
 */
describe('npm start launcher', () => {
  const launch = async (overrides: Record<string, string | undefined>) => {
    const port = await freePort();
    const minerPort = await freePort();
    const launcher = startNode('scripts/start.js', {
      ...testEnv({ PORT: String(port), LOG_LEVEL: 'warn', ...overrides }),
      MINER_PORT: String(minerPort),
      MINER_HOST: '127.0.0.1',
      MINER_STATE_DIR: mkdtempSync(join(tmpdir(), 'aitbc-launcher-')),
      OLLAMA_URL: `http://127.0.0.1:${await freePort()}`,
      NVIDIA_SMI: FAKE_NVIDIA_SMI,
      MINER_ALLOWLIST_DIR: join(process.cwd(), 'apps/miner/allowlist.d'),
    });
    return { launcher, coordinatorUrl: `http://127.0.0.1:${port}`, minerUrl: `http://127.0.0.1:${minerPort}` };
  };

  it('starts the coordinator and a miner that registers with it, and stops both on SIGTERM', async () => {
    const { launcher, coordinatorUrl, minerUrl } = await launch({});
    try {
      const health = await waitFor(
        async () => {
          const res = await request(minerUrl).get('/healthz');
          return res.status === 200 && res.body.state === 'online' ? res.body : null;
        },
        { timeoutMs: 60_000, message: `the launched miner online\n${launcher.output()}` },
      );
      // the launcher hands the miner the first of MINER_API_KEYS ("rig-1:…") and names it local-miner
      expect(health).toMatchObject({ miner_id: 'rig-1/local-miner', coordinator: { url: coordinatorUrl } });
      const miners = await request(coordinatorUrl).get('/v1/admin/miners').set('X-Api-Key', TEST_KEYS.admin);
      expect(miners.body.items.map((m: { miner_id: string }) => m.miner_id)).toContain('rig-1/local-miner');
    } finally {
      expect(await launcher.stop()).toBe(0);
    }
    expect(launcher.output()).not.toContain(TEST_KEYS.miner);
  }, 90_000);

  it('runs the coordinator alone, saying why, when keys are configured but none for miners', async () => {
    const { launcher, coordinatorUrl } = await launch({ MINER_API_KEYS: undefined });
    try {
      await waitFor(() => launcher.output().includes('starting the coordinator only'), {
        timeoutMs: 60_000,
        message: `the launcher's notice\n${launcher.output()}`,
      });
      expect(launcher.output()).toContain('no miner key (set MINER_API_KEYS for the coordinator, or MINER_API_KEY)');
      await request(coordinatorUrl).get('/v1/health').expect(200);
      expect(launcher.child.exitCode).toBeNull();
    } finally {
      expect(await launcher.stop()).toBe(0);
    }
  }, 90_000);
});
