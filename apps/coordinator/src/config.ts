import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export type Role = 'client' | 'miner' | 'admin';
export type CoordinatorRole = 'api' | 'worker' | 'all';

/** A configured API key. Only its SHA-256 is kept: the raw key never enters the config object. */
export interface ApiKeyEntry {
  id: string;
  role: Role;
  keyHash: string;
}

export interface CoordinatorConfig {
  env: string;
  version: string;
  host: string;
  port: number;
  role: CoordinatorRole;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  bodyLimitBytes: number;
  /** A miner's result (`POST /v1/miners/{job_id}/result` and its alias) may be larger: CLI outputs come inline. */
  resultBodyLimitBytes: number;
  dataDir: string;
  /** The service registry's data files (`*.yaml`), loaded and checked by the registry module at boot. */
  registryDir: string;
  database: {
    url: string;
    /** true when no DATABASE_URL was given and the process runs its own embedded PostgreSQL */
    embedded: boolean;
    embeddedPort: number;
    poolSize: number;
  };
  /** null → BullMQ runs on its PostgreSQL backend in the main database */
  redisUrl: string | null;
  migrationsRun: boolean;
  apiKeys: readonly ApiKeyEntry[];
  receipts: { signingKeyHex: string | null; attestationKeyHex: string | null };
  jobs: { defaultTtlSeconds: number; maxAttempts: number; sweepIntervalMs: number };
  miners: { heartbeatIntervalSeconds: number; leaseTtlSeconds: number };
  ledger: { blockIntervalMs: number };
  rateLimits: Record<Role, number>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HEX32 = /^[0-9a-fA-F]{64}$/;

/** Reads one env var at a time, collecting every problem so the operator sees them all at once. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  str(name: string, fallback: string): string {
    const raw = this.env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  }

  optional(name: string): string | null {
    const raw = this.env[name];
    return raw === undefined || raw.trim() === '' ? null : raw.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) {
      return fallback;
    }
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) {
      return fallback;
    }
    if (['true', '1', 'yes', 'on'].includes(raw)) {
      return true;
    }
    if (['false', '0', 'no', 'off'].includes(raw)) {
      return false;
    }
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === null) {
      return fallback;
    }
    const lower = raw.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return lower;
  }

  url(name: string, protocols: readonly string[]): string | null {
    const raw = this.optional(name);
    if (raw === null) {
      return null;
    }
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')}// URL`);
        return null;
      }
      return raw;
    } catch {
      // never echo a URL back: it may carry a password
      this.problems.push(`${name} is not a valid URL`);
      return null;
    }
  }

  hexKey(name: string): string | null {
    const raw = this.optional(name);
    if (raw !== null && !HEX32.test(raw)) {
      this.problems.push(`${name} must be 64 hex characters (a 32-byte Ed25519 seed)`);
      return null;
    }
    return raw?.toLowerCase() ?? null;
  }
}

/** sha256 of an API key, hex: how keys are looked up without keeping them. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function parseApiKeys(reader: EnvReader, name: string, role: Role): ApiKeyEntry[] {
  const raw = reader.optional(name);
  if (raw === null) {
    return [];
  }
  const entries: ApiKeyEntry[] = [];
  raw.split(',').forEach((part, index) => {
    const item = part.trim();
    if (item === '') {
      return;
    }
    const colon = item.indexOf(':');
    const id = colon > 0 ? item.slice(0, colon) : null;
    const key = colon > 0 ? item.slice(colon + 1) : item;
    if (id !== null && !KEY_NAME.test(id)) {
      reader.problems.push(`${name} entry ${index + 1}: a name may hold only letters, digits, "_", "." and "-"`);
      return;
    }
    if (key.length < 8) {
      reader.problems.push(`${name} entry ${index + 1}: a key must be at least 8 characters`);
      return;
    }
    const keyHash = hashApiKey(key);
    entries.push({ id: id ?? `${role}_${keyHash.slice(0, 12)}`, role, keyHash });
  });
  return entries;
}

export const EMBEDDED_DATABASE_NAME = 'aitbc';

/**
 * The coordinator's one config loader: validates the environment once, returns a frozen, typed
 * object, or throws a `ConfigError` listing every bad value. Pure: no I/O, no defaults read from
 * anywhere but `env`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const r = new EnvReader(env);
  const dataDir = resolve(r.str('AITBC_DATA_DIR', '.aitbc'));
  const embeddedPort = r.int('EMBEDDED_PG_PORT', 54329, 1024, 65535);
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const embedded = r.optional('DATABASE_URL') === null;
  const apiKeys = [
    ...parseApiKeys(r, 'CLIENT_API_KEYS', 'client'),
    ...parseApiKeys(r, 'MINER_API_KEYS', 'miner'),
    ...parseApiKeys(r, 'ADMIN_API_KEYS', 'admin'),
  ];
  const seen = new Map<string, ApiKeyEntry>();
  for (const entry of apiKeys) {
    const other = seen.get(entry.keyHash);
    if (other) {
      r.problems.push(`the same API key is listed for "${other.id}" (${other.role}) and "${entry.id}" (${entry.role})`);
    }
    seen.set(entry.keyHash, entry);
  }
  const ids = new Set<string>();
  for (const entry of apiKeys) {
    if (ids.has(entry.id)) {
      r.problems.push(`API key name "${entry.id}" is used twice`);
    }
    ids.add(entry.id);
  }

  const bodyLimitBytes = r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576);
  const config: CoordinatorConfig = {
    env: r.str('APP_ENV', r.str('NODE_ENV', 'development')),
    version: r.str('npm_package_version', '0.1.0'),
    host: r.str('HOST', '0.0.0.0'),
    port: r.int('PORT', 18000, 0, 65535),
    role: r.oneOf('COORDINATOR_ROLE', ['api', 'worker', 'all'] as const, 'all'),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
    bodyLimitBytes,
    resultBodyLimitBytes: r.int(
      'RESULT_BODY_LIMIT_BYTES',
      Math.max(16 * 1_048_576, bodyLimitBytes),
      1024,
      256 * 1_048_576,
    ),
    dataDir,
    registryDir: resolve(r.str('REGISTRY_DIR', 'apps/coordinator/registry.d')),
    database: {
      url: databaseUrl ?? `postgres://postgres@127.0.0.1:${embeddedPort}/${EMBEDDED_DATABASE_NAME}`,
      embedded,
      embeddedPort,
      poolSize: r.int('DATABASE_POOL_SIZE', 20, 1, 500),
    },
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    migrationsRun: r.bool('MIGRATIONS_RUN', true),
    apiKeys,
    receipts: {
      signingKeyHex: r.hexKey('RECEIPT_SIGNING_KEY_HEX'),
      attestationKeyHex: r.hexKey('RECEIPT_ATTESTATION_KEY_HEX'),
    },
    jobs: {
      defaultTtlSeconds: r.int('JOB_DEFAULT_TTL_SECONDS', 900, 1, 86_400),
      maxAttempts: r.int('JOB_MAX_ATTEMPTS', 3, 1, 100),
      sweepIntervalMs: r.int('JOB_SWEEP_INTERVAL_MS', 1000, 50, 60_000),
    },
    miners: {
      heartbeatIntervalSeconds: r.int('MINER_HEARTBEAT_INTERVAL_SECONDS', 15, 1, 3600),
      leaseTtlSeconds: r.int('MINER_LEASE_TTL_SECONDS', 60, 2, 86_400),
    },
    ledger: { blockIntervalMs: r.int('LEDGER_BLOCK_INTERVAL_MS', 2000, 100, 3_600_000) },
    rateLimits: {
      client: r.int('RATE_LIMIT_CLIENT_PER_MINUTE', 600, 1, 10_000_000),
      miner: r.int('RATE_LIMIT_MINER_PER_MINUTE', 6000, 1, 10_000_000),
      admin: r.int('RATE_LIMIT_ADMIN_PER_MINUTE', 600, 1, 10_000_000),
    },
  };
  if (config.env === 'production' && apiKeys.length === 0) {
    r.problems.push('no API keys configured: set CLIENT_API_KEYS, MINER_API_KEYS and ADMIN_API_KEYS');
  }
  if (config.resultBodyLimitBytes < config.bodyLimitBytes) {
    r.problems.push('RESULT_BODY_LIMIT_BYTES must be at least BODY_LIMIT_BYTES (results are the largest bodies)');
  }
  if (config.miners.leaseTtlSeconds < 2 * config.miners.heartbeatIntervalSeconds) {
    r.problems.push(
      'MINER_LEASE_TTL_SECONDS must be at least twice MINER_HEARTBEAT_INTERVAL_SECONDS, ' +
        'so one late heartbeat does not cost a miner its job',
    );
  }
  if (r.problems.length > 0) {
    throw new ConfigError(r.problems);
  }
  return deepFreeze(config);
}

/** The same config pointing at another database (the embedded server, once it is up). */
export function withDatabaseUrl(config: CoordinatorConfig, url: string): CoordinatorConfig {
  return deepFreeze({ ...config, database: { ...config.database, url } });
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) {
      deepFreeze(child as object);
    }
  }
  return Object.freeze(value);
}

/** Nest injection token of the loaded config. */
export const CONFIG = Symbol('CoordinatorConfig');
