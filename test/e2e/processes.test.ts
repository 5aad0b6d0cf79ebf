import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, runNode, startNode } from '../support/processes';
import { waitFor } from '../support/wait-for';

describe('the shipped processes', () => {
  it('coordinator: a bad value stops it with one clear message listing every problem', () => {
    const result = runNode('apps/coordinator/src/main.js', [], {
      PORT: 'abc',
      JOB_MAX_ATTEMPTS: '0',
      REDIS_URL: 'http://cache',
      DATABASE_URL: 'postgres://127.0.0.1:1/aitbc_test',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'aitbc coordinator: invalid configuration:\n' +
        '  - PORT must be an integer from 0 to 65535 (got "abc")\n' +
        '  - REDIS_URL must be a redis: or rediss:// URL\n' +
        '  - JOB_MAX_ATTEMPTS must be an integer from 1 to 100 (got "0")\n',
    );
  });

  it('miner: prints --help, refuses unknown options and bad config', () => {
    const help = runNode('apps/miner/src/main.js', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^aitbc miner — the AITBC GPU miner daemon\n/);
    expect(help.stdout).toContain('COORDINATOR_URL');
    expect(runNode('apps/miner/src/main.js', ['--frobnicate']).status).toBe(2);
    const bad = runNode('apps/miner/src/main.js', [], {
      MINER_PORT: '70000',
      COORDINATOR_URL: 'ftp://x',
      MINER_API_KEY: 'miner-key-for-tests-0001',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      'aitbc miner: invalid configuration:\n' +
        '  - COORDINATOR_URL must be an http:// or https:// URL\n' +
        '  - MINER_PORT must be an integer from 0 to 65535 (got "70000")\n',
    );
  });

  it('miner: boots without nvidia-smi (no GPUs, said in the log), serves /healthz, reports an unreachable coordinator, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const miner = startNode('apps/miner/src/main.js', {
      MINER_PORT: String(port),
      MINER_HOST: '127.0.0.1',
      MINER_ID: 'rig-under-test',
      COORDINATOR_URL: 'http://127.0.0.1:1',
      MINER_API_KEY: 'miner-key-for-tests-0001',
      MINER_HEARTBEAT_INTERVAL_SECONDS: '1',
      MINER_STATE_DIR: mkdtempSync(join(tmpdir(), 'aitbc-miner-')),
      NVIDIA_SMI: '/nonexistent/nvidia-smi',
    });
    try {
      const body = await waitFor(
        async () => {
          const res = await request(`http://127.0.0.1:${port}`).get('/healthz');
          return res.status === 200 && res.body.coordinator.state === 'unreachable' ? res.body : null;
        },
        { timeoutMs: 20_000, message: 'miner /healthz' },
      );
      expect(body).toEqual({
        status: 'ok',
        state: 'registering',
        miner_id: 'rig-under-test',
        coordinator: { url: 'http://127.0.0.1:1', state: 'unreachable', last_contact_at: null },
        running_jobs: 0,
      });
      // what it would register: no GPUs, and the log says why
      const status = await request(`http://127.0.0.1:${port}`).get('/v1/status').expect(200);
      expect(status.body.capabilities.gpus).toEqual([]);
      expect(status.body.capabilities).not.toHaveProperty('cuda');
      expect(miner.output()).toContain('/nonexistent/nvidia-smi not found: no NVIDIA GPUs will be advertised');
    } finally {
      miner.child.kill('SIGTERM');
    }
    expect(await miner.exited).toBe(0);
  }, 30_000);

  it('cli: prints --help, and exits 2 on usage errors and 5 when the coordinator is unreachable', () => {
    const help = runNode('apps/cli/src/main.js', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^aitbc — the AITBC command line\n/);
    expect(help.stdout).toContain(
      'Exit codes: 0 ok, 1 job failed, 2 usage error, 3 authentication refused, 4 not found, 5 coordinator unreachable',
    );
    expect(runNode('apps/cli/src/main.js', ['frobnicate']).status).toBe(2);
    expect(runNode('apps/cli/src/main.js', ['--url']).status).toBe(2);
    const down = runNode('apps/cli/src/main.js', ['--url', 'http://127.0.0.1:1', 'health']);
    expect(down.status).toBe(5);
    expect(down.stderr).toMatch(/^aitbc: cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});
