import type { LogLevel } from '@aitbc/contracts';

export interface MinerConfig {
  coordinatorUrl: string;
  apiKey: string | null;
  minerId: string | null;
  ollamaUrl: string;
  host: string;
  port: number;
  heartbeatIntervalSeconds: number;
  logLevel: LogLevel;
}

export class MinerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'MinerConfigError';
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** The miner's config from its environment (DESIGN §4), validated once; every problem reported together. */
export function loadMinerConfig(env: NodeJS.ProcessEnv = process.env): MinerConfig {
  const problems: string[] = [];
  const text = (name: string) => (env[name]?.trim() ? env[name].trim() : null);
  const url = (name: string, fallback: string) => {
    const raw = text(name) ?? fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        problems.push(`${name} must be an http:// or https:// URL`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw.replace(/\/+$/, '');
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (raw === null) {
      return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const level = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  }
  const minerId = text('MINER_ID');
  if (minerId !== null && !/^[A-Za-z0-9_.-]{1,64}$/.test(minerId)) {
    problems.push('MINER_ID may hold only letters, digits, "_", "." and "-" (at most 64)');
  }
  const config: MinerConfig = {
    coordinatorUrl: url('COORDINATOR_URL', 'http://127.0.0.1:18000'),
    apiKey: text('MINER_API_KEY'),
    minerId,
    ollamaUrl: url('OLLAMA_URL', 'http://127.0.0.1:11434'),
    host: text('MINER_HOST') ?? '0.0.0.0',
    port: int('MINER_PORT', 18001, 0, 65535),
    heartbeatIntervalSeconds: int('MINER_HEARTBEAT_INTERVAL_SECONDS', 15, 1, 3600),
    logLevel: level as MinerConfig['logLevel'],
  };
  if (problems.length > 0) {
    throw new MinerConfigError(problems);
  }
  return Object.freeze(config);
}
