import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadMinerConfig } from '../config';
import { CoordinatorClient } from '../coordinator/coordinator-client';
import { MinerKey } from '../identity/miner-key';
import { JobExecutor } from '../jobs/job-executor';
import { JobJournal } from '../jobs/job-journal';
import { MinerStats } from '../jobs/miner-stats';
import type { MachineReading } from '../probe/capabilities';
import type { Probe } from '../probe/probe';
import { MinerAgent } from './miner-agent';

const READING: MachineReading = {
  cpu: { cores: 4, model: null },
  memoryMb: 8192,
  diskFreeMb: null,
  gpus: [],
  cuda: null,
  ollamaModels: null,
  tools: [],
};

/** An agent with no runners against the coordinator at `url`, started; state in `dir`. */
async function startAgent(url: string, dir: string, env: Record<string, string>) {
  const config = loadMinerConfig(
    {
      MINER_API_KEY: 'miner-key',
      COORDINATOR_URL: url,
      MINER_STATE_DIR: dir,
      MINER_DRAIN_TIMEOUT_SECONDS: '1',
      ...env,
    },
    dir,
  );
  const client = new CoordinatorClient({ baseUrl: config.coordinatorUrl, apiKey: config.apiKey, minerId: 'x' });
  const journal = new JobJournal(config.workspaceDir);
  const { key } = await MinerKey.loadOrCreate(dir);
  const executor = new JobExecutor(client, journal, [], key, new MinerStats(), {
    maxJobSeconds: 60,
    onStaleCapabilities: () => undefined,
  });
  const probe = { read: () => Promise.resolve(READING) } as unknown as Probe;
  const agent = new MinerAgent(config, client, probe, executor, { publicKey: key.publicKey, created: true });
  await agent.start();
  return { config, agent, executor, journal };
}

/**
 * A coordinator that registers the miner and hands it one job, then accepts every other call and
 * never answers it: the worst case for a shutdown, as nothing fails fast.
 */
async function hangingCoordinator(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  let handed = false;
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url ?? '');
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/v1/miners/register') {
        json({
          status: 'ok',
          miner_id: 'rig-1/x',
          session_token: 't',
          heartbeat_interval_seconds: 1,
          lease_ttl_seconds: 60,
        });
      } else if (req.url === '/v1/miners/poll' && !handed) {
        handed = true;
        json({
          job_id: 'a'.repeat(32),
          // no runner takes this: the job fails at once, and its report is owed
          payload: { type: 'nothing-runs-this' },
          constraints: {},
          attempt: 1,
          lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
          timeout_seconds: null,
        });
      } else {
        hanging.add(res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      hanging.forEach((res) => res.destroy());
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MinerAgent.drain', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('ends within the drain budget when the coordinator accepts calls and never answers them', async () => {
    const coordinator = await hangingCoordinator();
    const dir = mkdtempSync(join(tmpdir(), 'agent-drain-'));
    try {
      const { agent, executor, journal } = await startAgent(coordinator.url, dir, {
        MINER_HEARTBEAT_INTERVAL_SECONDS: '1',
      });
      // registered, the job failed, its report hangs; a heartbeat hangs too
      const deadline = Date.now() + 10_000;
      while (!(
        coordinator.seen.some((url) => url.endsWith('/fail')) && coordinator.seen.includes('/v1/miners/heartbeat')
      )) {
        if (Date.now() > deadline) {
          throw new Error(`never reached the hanging state: ${coordinator.seen.join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(executor.pendingReports).toBe(1);

      const started = Date.now();
      await agent.drain();
      const took = Date.now() - started;
      // drain_timeout_seconds (1) + the report grace (10 s) + slack; before, the unanswered drain
      // call (15 s), the report grace and the heartbeat in flight (15 s) added up past main.ts's limit
      expect(took).toBeLessThan(1000 + 10_000 + 3000);
      expect(coordinator.seen).toContain('/v1/miners/drain');
      expect(agent.state).toBe('stopped');
      // the undelivered report waits in the journal for the next start
      expect((await journal.leftovers()).map((left) => left.name)).toEqual([`${'a'.repeat(32)}.1`]);
    } finally {
      await coordinator.close();
    }
  }, 30_000);
});

/** A coordinator that asks for 1 s heartbeats, notes when each call arrives, and has no jobs. */
async function quietCoordinator(): Promise<{
  url: string;
  calls: { url: string; at: number }[];
  close(): Promise<void>;
}> {
  const calls: { url: string; at: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      calls.push({ url: req.url ?? '', at: Date.now() });
      if (req.url === '/v1/miners/poll') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/v1/miners/register'
            ? {
                status: 'ok',
                miner_id: 'rig-1/x',
                session_token: 't',
                heartbeat_interval_seconds: 1,
                lease_ttl_seconds: 4,
              }
            : { status: 'ok', cancel_job_ids: [] },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MinerAgent heartbeats', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('beats at the interval the registration reply asks from the first beat, not the configured 15 s', async () => {
    const coordinator = await quietCoordinator();
    const dir = mkdtempSync(join(tmpdir(), 'agent-beat-'));
    let agent: MinerAgent | null = null;
    try {
      const started = await startAgent(coordinator.url, dir, {});
      agent = started.agent;
      expect(started.config.heartbeatIntervalSeconds).toBe(15);
      const deadline = Date.now() + 20_000;
      while (coordinator.calls.filter((call) => call.url === '/v1/miners/heartbeat').length < 2) {
        if (Date.now() > deadline) {
          throw new Error(`no two heartbeats: ${coordinator.calls.map((call) => call.url).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const registered = coordinator.calls.find((call) => call.url === '/v1/miners/register')!.at;
      const beats = coordinator.calls.filter((call) => call.url === '/v1/miners/heartbeat').map((call) => call.at);
      // 1 s with ±20 % jitter, and slack for a loaded machine; well under the 4 s lease
      expect(beats[0] - registered).toBeLessThan(2500);
      expect(beats[1] - beats[0]).toBeLessThan(2500);
    } finally {
      await agent?.drain();
      await coordinator.close();
    }
  }, 30_000);
});
