import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LogLevel } from '@aitbc/contracts';

export interface MinerConfig {
  coordinatorUrl: string;
  /** Required: without it the coordinator refuses every call, and the daemon would retry 401s forever. */
  apiKey: string;
  minerId: string | null;
  ollamaUrl: string;
  host: string;
  port: number;
  /** Where the push-mode endpoint is reachable from the coordinator's side, if anywhere. */
  endpoint: string | null;
  region: string | null;
  concurrency: number;
  heartbeatIntervalSeconds: number;
  pollWaitSeconds: number;
  probeIntervalSeconds: number;
  drainTimeoutSeconds: number;
  /** Upper bound on any one job's run, whatever the job asks for. */
  maxJobSeconds: number;
  ollamaTimeoutSeconds: number;
  allowListDir: string;
  /** Lets typed jobs' `input_url` reach loopback and private networks (off: jobs cannot probe the LAN). */
  allowPrivateInputUrls: boolean;
  stateDir: string;
  workspaceDir: string;
  nvidiaSmi: string;
  price: string | null;
  /** `pull`: long-poll the coordinator; `push`: only take jobs sent to `POST /v1/jobs/assign`. */
  mode: 'pull' | 'push';
  /** Keys allowed to call `POST /v1/jobs/assign` (push mode); empty disables it. */
  assignApiKeys: string[];
  logLevel: LogLevel;
}

export class MinerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'MinerConfigError';
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * One setting: its key in the YAML file and the environment variable that overrides it.
 * The table is the documentation too (`--help` prints it).
 */
export const SETTINGS = {
  coordinator_url: { env: 'COORDINATOR_URL', help: 'coordinator base URL', fallback: 'http://127.0.0.1:18000' },
  api_key: { env: 'MINER_API_KEY', help: 'miner key issued by the coordinator operator (required)', fallback: '' },
  miner_id: { env: 'MINER_ID', help: "this daemon's name under that key (X-Miner-ID)", fallback: '' },
  ollama_url: { env: 'OLLAMA_URL', help: 'Ollama server', fallback: 'http://127.0.0.1:11434' },
  host: { env: 'MINER_HOST', help: 'HTTP bind address', fallback: '0.0.0.0' },
  port: { env: 'MINER_PORT', help: 'HTTP port (/healthz, /metrics, dashboard, push mode)', fallback: '18001' },
  endpoint: { env: 'MINER_ENDPOINT', help: "this miner's URL as the coordinator sees it (push mode)", fallback: '' },
  region: { env: 'MINER_REGION', help: 'region advertised to the coordinator', fallback: '' },
  mode: { env: 'MINER_MODE', help: 'pull (long-poll) or push (only POST /v1/jobs/assign)', fallback: 'pull' },
  concurrency: { env: 'MINER_CONCURRENCY', help: 'jobs run at once (1..64)', fallback: '1' },
  heartbeat_interval_seconds: { env: 'MINER_HEARTBEAT_INTERVAL_SECONDS', help: 'heartbeat interval', fallback: '15' },
  poll_wait_seconds: { env: 'MINER_POLL_WAIT_SECONDS', help: 'long-poll wait (0..30)', fallback: '25' },
  probe_interval_seconds: { env: 'MINER_PROBE_INTERVAL_SECONDS', help: 're-probe hardware/models', fallback: '300' },
  drain_timeout_seconds: { env: 'MINER_DRAIN_TIMEOUT_SECONDS', help: 'SIGTERM: wait for jobs', fallback: '60' },
  max_job_seconds: { env: 'MINER_MAX_JOB_SECONDS', help: 'hard cap on one job run', fallback: '3600' },
  ollama_timeout_seconds: { env: 'OLLAMA_TIMEOUT_SECONDS', help: 'cap on one Ollama request', fallback: '600' },
  allowlist_dir: {
    env: 'MINER_ALLOWLIST_DIR',
    help: 'CLI runner allow-list (*.yaml)',
    fallback: 'apps/miner/allowlist.d',
  },
  allow_private_input_urls: {
    env: 'MINER_ALLOW_PRIVATE_INPUT_URLS',
    help: 'let input_url reach private addresses (true/false)',
    fallback: 'false',
  },
  state_dir: { env: 'MINER_STATE_DIR', help: 'miner key and job journal', fallback: '.aitbc/miner' },
  workspace_dir: { env: 'MINER_WORKSPACE_DIR', help: 'per-job workspaces', fallback: '<state_dir>/jobs' },
  nvidia_smi: { env: 'NVIDIA_SMI', help: 'nvidia-smi executable', fallback: 'nvidia-smi' },
  price: { env: 'MINER_PRICE', help: 'price per GPU-second, e.g. "0.02"', fallback: '' },
  assign_api_keys: {
    env: 'MINER_ASSIGN_API_KEYS',
    help: 'keys for POST /v1/jobs/assign (comma-separated)',
    fallback: '',
  },
  log_level: { env: 'LOG_LEVEL', help: 'fatal|error|warn|info|debug|trace', fallback: 'info' },
} as const;

type SettingKey = keyof typeof SETTINGS;

/** Reads the YAML file named by MINER_CONFIG, if any: a flat mapping of the keys in SETTINGS. */
function readYaml(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`MINER_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    problems.push(`MINER_CONFIG: ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return {};
  }
  if (parsed === null || parsed === undefined) {
    return {};
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`MINER_CONFIG: ${path} must hold a mapping of settings`);
    return {};
  }
  const known = new Set(Object.keys(SETTINGS));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      problems.push(`${path}: unknown setting "${key}"`);
    }
  }
  return parsed as Record<string, unknown>;
}

/**
 * The miner's config (DESIGN §4): defaults, then the YAML file named by `MINER_CONFIG`, then the
 * environment. Validated once; every problem is reported together.
 */
export function loadMinerConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): MinerConfig {
  const problems: string[] = [];
  const configPath = env.MINER_CONFIG?.trim();
  const file = configPath ? readYaml(resolve(cwd, configPath), problems) : {};
  const source = (key: SettingKey) => (env[SETTINGS[key].env]?.trim() ? SETTINGS[key].env : `${key} (config file)`);

  const raw = (key: SettingKey): string | null => {
    const fromEnv = env[SETTINGS[key].env]?.trim();
    if (fromEnv) {
      return fromEnv;
    }
    const fromFile = file[key];
    if (fromFile === undefined || fromFile === null || fromFile === '') {
      return null;
    }
    if (Array.isArray(fromFile) && key === 'assign_api_keys') {
      return fromFile.map(String).join(',');
    }
    if (typeof fromFile === 'object') {
      problems.push(`${source(key)} must be a single value`);
      return null;
    }
    return (typeof fromFile === 'string' ? fromFile : JSON.stringify(fromFile)).trim();
  };
  const text = (key: SettingKey) => raw(key) ?? (SETTINGS[key].fallback || null);
  const url = (key: SettingKey, optional = false) => {
    const value = text(key);
    if (value === null) {
      if (!optional) {
        problems.push(`${source(key)} is required`);
      }
      return null;
    }
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        problems.push(`${source(key)} must be an http:// or https:// URL`);
      }
    } catch {
      problems.push(`${source(key)} is not a valid URL`);
    }
    return value.replace(/\/+$/, '');
  };
  const int = (key: SettingKey, min: number, max: number) => {
    const value = text(key)!;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      problems.push(`${source(key)} must be an integer from ${min} to ${max} (got "${value}")`);
      return Number(SETTINGS[key].fallback);
    }
    return parsed;
  };

  const level = text('log_level')!.toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    problems.push(`${source('log_level')} must be one of ${LEVELS.join(', ')}`);
  }
  const minerId = text('miner_id');
  if (minerId !== null && !/^[A-Za-z0-9_.-]{1,64}$/.test(minerId)) {
    problems.push(`${source('miner_id')} may hold only letters, digits, "_", "." and "-" (at most 64)`);
  }
  const price = text('price');
  if (price !== null && !/^\d{1,12}(\.\d{1,6})?$/.test(price)) {
    problems.push(`${source('price')} must be a decimal amount like "0.02" (at most 6 decimals)`);
  }
  const region = text('region');
  if (region !== null && region.length > 64) {
    problems.push(`${source('region')} must be at most 64 characters`);
  }
  const privateUrls = text('allow_private_input_urls')!.toLowerCase();
  if (privateUrls !== 'true' && privateUrls !== 'false') {
    problems.push(`${source('allow_private_input_urls')} must be true or false`);
  }
  const mode = text('mode')!;
  if (mode !== 'pull' && mode !== 'push') {
    problems.push(`${source('mode')} must be "pull" or "push"`);
  }
  const apiKey = text('api_key');
  if (apiKey === null) {
    problems.push(
      "MINER_API_KEY (or api_key in the config file) is required: one of the coordinator's MINER_API_KEYS, from its operator",
    );
  }
  const stateDir = resolve(cwd, text('state_dir')!);
  const workspace = raw('workspace_dir');
  const config: MinerConfig = {
    coordinatorUrl: url('coordinator_url')!,
    apiKey: apiKey ?? '',
    minerId,
    ollamaUrl: url('ollama_url')!,
    host: text('host')!,
    port: int('port', 0, 65535),
    endpoint: url('endpoint', true),
    region,
    mode: mode === 'push' ? 'push' : 'pull',
    concurrency: int('concurrency', 1, 64),
    heartbeatIntervalSeconds: int('heartbeat_interval_seconds', 1, 3600),
    pollWaitSeconds: int('poll_wait_seconds', 0, 30),
    probeIntervalSeconds: int('probe_interval_seconds', 5, 86_400),
    drainTimeoutSeconds: int('drain_timeout_seconds', 0, 3600),
    maxJobSeconds: int('max_job_seconds', 1, 7 * 86_400),
    ollamaTimeoutSeconds: int('ollama_timeout_seconds', 1, 86_400),
    allowListDir: resolve(cwd, text('allowlist_dir')!),
    allowPrivateInputUrls: privateUrls === 'true',
    stateDir,
    workspaceDir: workspace ? resolve(cwd, workspace) : resolve(stateDir, 'jobs'),
    nvidiaSmi: text('nvidia_smi')!,
    price,
    assignApiKeys: (text('assign_api_keys') ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
    logLevel: level as LogLevel,
  };
  if (problems.length > 0) {
    throw new MinerConfigError(problems);
  }
  return Object.freeze(config);
}
