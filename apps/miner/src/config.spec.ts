import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMinerConfig, MinerConfigError } from './config';

const dir = mkdtempSync(join(tmpdir(), 'miner-config-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('loadMinerConfig', () => {
  it('has defaults for everything but the key', () => {
    const config = loadMinerConfig({ MINER_API_KEY: 'miner-secret' }, '/srv');
    expect(config).toEqual({
      coordinatorUrl: 'http://127.0.0.1:18000',
      apiKey: 'miner-secret',
      minerId: null,
      ollamaUrl: 'http://127.0.0.1:11434',
      host: '0.0.0.0',
      port: 18001,
      endpoint: null,
      region: null,
      mode: 'pull',
      concurrency: 1,
      heartbeatIntervalSeconds: 15,
      pollWaitSeconds: 25,
      probeIntervalSeconds: 300,
      drainTimeoutSeconds: 60,
      maxJobSeconds: 3600,
      ollamaTimeoutSeconds: 600,
      allowListDir: '/srv/apps/miner/allowlist.d',
      allowPrivateInputUrls: false,
      stateDir: '/srv/.aitbc/miner',
      workspaceDir: '/srv/.aitbc/miner/jobs',
      nvidiaSmi: 'nvidia-smi',
      price: null,
      assignApiKeys: [],
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the YAML file and lets the environment win', () => {
    const path = file(
      'ok.yaml',
      'coordinator_url: http://coord:18000/\nconcurrency: 4\nminer_id: rig-a\nassign_api_keys: [push-1, push-2]\nprice: "0.02"\n',
    );
    const config = loadMinerConfig(
      { MINER_CONFIG: path, MINER_CONCURRENCY: '2', MINER_STATE_DIR: '/var/lib/m', MINER_API_KEY: 'k' },
      '/srv',
    );
    expect(config).toMatchObject({
      coordinatorUrl: 'http://coord:18000',
      concurrency: 2,
      minerId: 'rig-a',
      assignApiKeys: ['push-1', 'push-2'],
      price: '0.02',
      stateDir: '/var/lib/m',
      workspaceDir: '/var/lib/m/jobs',
    });
  });

  it('lists every problem at once, naming where each value came from', () => {
    const path = file('bad.yaml', 'concurrency: 0\nfrobnicate: true\nprice: cheap\n');
    let caught: unknown;
    try {
      loadMinerConfig({ MINER_CONFIG: path, MINER_PORT: 'x', OLLAMA_URL: 'ftp://o', MINER_ID: 'no spaces' }, '/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MinerConfigError);
    expect((caught as MinerConfigError).problems).toEqual([
      `${path}: unknown setting "frobnicate"`,
      'MINER_ID may hold only letters, digits, "_", "." and "-" (at most 64)',
      'price (config file) must be a decimal amount like "0.02" (at most 6 decimals)',
      "MINER_API_KEY (or api_key in the config file) is required: one of the coordinator's MINER_API_KEYS, from its operator",
      'OLLAMA_URL must be an http:// or https:// URL',
      'MINER_PORT must be an integer from 0 to 65535 (got "x")',
      'concurrency (config file) must be an integer from 1 to 64 (got "0")',
    ]);
  });

  it('refuses to start without a key, in the same one message as every other problem', () => {
    expect(() => loadMinerConfig({}, '/srv')).toThrow(
      "invalid configuration:\n  - MINER_API_KEY (or api_key in the config file) is required: one of the coordinator's MINER_API_KEYS, from its operator",
    );
    expect(() => loadMinerConfig({ MINER_API_KEY: '   ' }, '/srv')).toThrow(/MINER_API_KEY .* is required/);
    expect(loadMinerConfig({ MINER_CONFIG: file('key.yaml', 'api_key: from-the-file\n') }, '/srv').apiKey).toBe(
      'from-the-file',
    );
  });

  it('refuses a missing or malformed file', () => {
    expect(() => loadMinerConfig({ MINER_CONFIG: join(dir, 'absent.yaml') })).toThrow(
      /cannot read .*absent\.yaml \(ENOENT\)/,
    );
    expect(() => loadMinerConfig({ MINER_CONFIG: file('list.yaml', '- a\n- b\n') })).toThrow(/must hold a mapping/);
    expect(() => loadMinerConfig({ MINER_CONFIG: file('broken.yaml', 'a: [1,\n') })).toThrow(/is not valid YAML/);
  });

  it('accepts the shipped example', () => {
    // the example leaves the key to the environment, as it recommends
    const config = loadMinerConfig({ MINER_CONFIG: 'apps/miner/miner.example.yaml', MINER_API_KEY: 'miner-secret' });
    expect(config).toMatchObject({ minerId: 'gpu-a', port: 18001, concurrency: 1, heartbeatIntervalSeconds: 15 });
  });
});
