import { join } from 'node:path';
import { ConfigError, hashApiKey, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 18000,
      role: 'all',
      redisUrl: null,
      migrationsRun: true,
      apiKeys: [],
      jobs: { defaultTtlSeconds: 900, maxAttempts: 3, sweepIntervalMs: 1000 },
      miners: { heartbeatIntervalSeconds: 15, leaseTtlSeconds: 60 },
      ledger: { blockIntervalMs: 2000 },
    });
    expect(config.database).toMatchObject({ embedded: true, embeddedPort: 54329 });
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:54329/aitbc');
  });

  it('uses DATABASE_URL and REDIS_URL when set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toMatchObject({ url: 'postgres://u:p@db:5432/x', embedded: false });
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it('parses name:key entries and derives ids for bare keys, keeping only hashes', () => {
    const config = loadConfig({
      CLIENT_API_KEYS: 'alice:client-secret-1, client-secret-2',
      MINER_API_KEYS: 'rig-1:miner-secret-1',
      ADMIN_API_KEYS: 'admin-secret-1',
    });
    expect(config.apiKeys).toEqual([
      { id: 'alice', role: 'client', keyHash: hashApiKey('client-secret-1') },
      {
        id: `client_${hashApiKey('client-secret-2').slice(0, 12)}`,
        role: 'client',
        keyHash: hashApiKey('client-secret-2'),
      },
      { id: 'rig-1', role: 'miner', keyHash: hashApiKey('miner-secret-1') },
      {
        id: `admin_${hashApiKey('admin-secret-1').slice(0, 12)}`,
        role: 'admin',
        keyHash: hashApiKey('admin-secret-1'),
      },
    ]);
    expect(JSON.stringify(config)).not.toContain('client-secret-1');
  });

  it('reports every bad value at once, in one message, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        JOB_MAX_ATTEMPTS: '0',
        COORDINATOR_ROLE: 'boss',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        MIGRATIONS_RUN: 'maybe',
        RECEIPT_SIGNING_KEY_HEX: 'abc',
        CLIENT_API_KEYS: 'x:short',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'DATABASE_URL must be a postgres: or postgresql:// URL',
      'CLIENT_API_KEYS entry 1: a key must be at least 8 characters',
      'PORT must be an integer from 0 to 65535 (got "eighty")',
      'COORDINATOR_ROLE must be one of api, worker, all (got "boss")',
      'MIGRATIONS_RUN must be true or false (got "maybe")',
      'RECEIPT_SIGNING_KEY_HEX must be 64 hex characters (a 32-byte Ed25519 seed)',
      'JOB_MAX_ATTEMPTS must be an integer from 1 to 100 (got "0")',
    ]);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('refuses the same key under two roles and a lease shorter than two heartbeats', () => {
    expect(() =>
      loadConfig({
        CLIENT_API_KEYS: 'a:same-key-123',
        MINER_API_KEYS: 'b:same-key-123',
        MINER_HEARTBEAT_INTERVAL_SECONDS: '40',
      }),
    ).toThrow(
      new ConfigError([
        'the same API key is listed for "a" (client) and "b" (miner)',
        'MINER_LEASE_TTL_SECONDS must be at least twice MINER_HEARTBEAT_INTERVAL_SECONDS, so one late heartbeat does not cost a miner its job',
      ]),
    );
  });

  it("gives miners' results their own body limit, never below the general one", () => {
    expect(loadConfig({})).toMatchObject({ bodyLimitBytes: 1_048_576, resultBodyLimitBytes: 16_777_216 });
    expect(loadConfig({ RESULT_BODY_LIMIT_BYTES: '33554432' }).resultBodyLimitBytes).toBe(33_554_432);
    // a general limit raised past the default result limit carries the result limit with it
    expect(loadConfig({ BODY_LIMIT_BYTES: '33554432' }).resultBodyLimitBytes).toBe(33_554_432);
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '2097152', RESULT_BODY_LIMIT_BYTES: '1048576' })).toThrow(
      new ConfigError(['RESULT_BODY_LIMIT_BYTES must be at least BODY_LIMIT_BYTES (results are the largest bodies)']),
    );
    expect(() => loadConfig({ RESULT_BODY_LIMIT_BYTES: '1gb' })).toThrow(
      /RESULT_BODY_LIMIT_BYTES must be an integer from 1024 to 268435456 \(got "1gb"\)/,
    );
  });

  it("reads the registry's data files from REGISTRY_DIR, resolved against the working directory", () => {
    expect(loadConfig({}).registryDir).toBe(join(process.cwd(), 'apps/coordinator/registry.d'));
    expect(loadConfig({ REGISTRY_DIR: 'conf/registry' }).registryDir).toBe(join(process.cwd(), 'conf/registry'));
    expect(loadConfig({ REGISTRY_DIR: '/etc/aitbc/coordinator/registry.d' }).registryDir).toBe(
      '/etc/aitbc/coordinator/registry.d',
    );
  });

  it('requires API keys in production', () => {
    expect(() => loadConfig({ APP_ENV: 'production', DATABASE_URL: 'postgres://db/x' })).toThrow(ConfigError);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });
});
