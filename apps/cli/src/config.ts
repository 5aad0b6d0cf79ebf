import { join } from 'node:path';
import { stringOption } from './args';
import type { KeyRole, OptionValues } from './command';
import { EXIT, CliError, usageError } from './exit-codes';
import type { Io } from './io';

export const DEFAULT_URL = 'http://127.0.0.1:18000';

/** What a command runs with, resolved once from options, environment, profile file and defaults. */
export interface CliConfig {
  /** base URL without a trailing slash */
  readonly url: string;
  readonly apiKey: string | null;
  /** where the key came from, for messages (never the key itself) */
  readonly keySource: string | null;
  /** the account `balance` reads when given none */
  readonly account: string | null;
  readonly json: boolean;
}

/** One profile of the config file. */
interface Profile {
  url?: string;
  api_key?: string;
  account?: string;
}

const PROFILE_FIELDS: readonly (keyof Profile)[] = ['url', 'api_key', 'account'];

/**
 * Resolves the configuration. Each setting comes from the first of: option, environment, profile,
 * default. With no key configured at all, a coordinator on this machine started by `npm start`
 * lends its dev key of the role the command needs (never sent anywhere but a loopback URL).
 */
export async function resolveConfig(values: OptionValues, env: NodeJS.ProcessEnv, io: Io, role: KeyRole) {
  const profile = await loadProfile(values, env, io);
  const url = normalizeUrl(
    stringOption(values, 'url') ?? nonEmpty(env.AITBC_URL) ?? profile?.settings.url ?? DEFAULT_URL,
  );
  const keys: [string | undefined, string][] = [
    [stringOption(values, 'api-key'), '--api-key'],
    [nonEmpty(env.AITBC_API_KEY), 'AITBC_API_KEY'],
    [nonEmpty(env.CLIENT_KEY), 'CLIENT_KEY'],
    [profile?.settings.api_key, `profile "${profile?.name}" of ${profile?.file}`],
  ];
  let [apiKey, keySource] = keys.find(([key]) => key !== undefined && key.trim() !== '') ?? [null, null];
  let account = nonEmpty(env.AITBC_ACCOUNT) ?? profile?.settings.account ?? null;
  if (apiKey === null && role !== 'none' && isLoopback(url)) {
    const dev = await devKey(env, io, role);
    if (dev) {
      [apiKey, keySource] = dev;
      // the coordinator names its dev client `dev-client` (apps/coordinator/src/embedded/dev-keys.ts)
      account ??= 'client:dev-client';
    }
  }
  const config: CliConfig = {
    url,
    apiKey: apiKey?.trim() ?? null,
    keySource,
    account,
    json: values.json === true,
  };
  return Object.freeze(config);
}

/** The base URL, checked: http(s), no query or fragment, no trailing slash. */
export function normalizeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`the coordinator URL must be an http:// or https:// URL (got "${redactUrl(text)}")`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw usageError(`the coordinator URL must be an http:// or https:// URL (got "${redactUrl(text)}")`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** A URL for messages: any user:password in it replaced. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/, '//***@');
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The profile file: `--profile`/`AITBC_PROFILE` must name a profile in it; without them it is optional. */
export function profilePath(env: NodeJS.ProcessEnv, io: Io): string {
  return (
    nonEmpty(env.AITBC_CONFIG) ??
    join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(io.homedir, '.config'), 'aitbc', 'config.json')
  );
}

async function loadProfile(
  values: OptionValues,
  env: NodeJS.ProcessEnv,
  io: Io,
): Promise<{ name: string; file: string; settings: Profile } | null> {
  const file = profilePath(env, io);
  const asked = stringOption(values, 'profile') ?? nonEmpty(env.AITBC_PROFILE);
  const mode = await io.fileMode(file);
  if (mode === null) {
    if (asked !== undefined || nonEmpty(env.AITBC_CONFIG)) {
      throw usageError(`the config file ${file} does not exist`);
    }
    return null;
  }
  let document: unknown;
  try {
    document = JSON.parse(await io.readText(file));
  } catch (error) {
    throw usageError(`the config file ${file} is not valid JSON (${(error as Error).message})`);
  }
  const { default_profile: preferred, profiles } = (document ?? {}) as {
    default_profile?: unknown;
    profiles?: unknown;
  };
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw usageError(`the config file ${file} needs a "profiles" object`);
  }
  const name = asked ?? (typeof preferred === 'string' ? preferred : 'default');
  const settings = (profiles as Record<string, unknown>)[name];
  if (settings === undefined) {
    if (asked === undefined && preferred === undefined) {
      return null;
    }
    const known = Object.keys(profiles).join(', ') || 'none';
    throw usageError(`there is no profile "${name}" in ${file} (profiles: ${known})`);
  }
  const profile = checkProfile(settings, name, file);
  if (profile.api_key !== undefined && (mode & 0o077) !== 0) {
    io.stderr.write(`aitbc: warning: ${file} holds an API key and others can read it (chmod 600 ${file})\n`);
  }
  return { name, file, settings: profile };
}

function checkProfile(settings: unknown, name: string, file: string): Profile {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw usageError(`profile "${name}" of ${file} must be an object`);
  }
  for (const [field, value] of Object.entries(settings)) {
    if (!PROFILE_FIELDS.includes(field as keyof Profile)) {
      throw usageError(
        `profile "${name}" of ${file}: unknown setting "${field}" (known: ${PROFILE_FIELDS.join(', ')})`,
      );
    }
    if (typeof value !== 'string') {
      throw usageError(`profile "${name}" of ${file}: ${field} must be a string`);
    }
  }
  return settings;
}

/** The key `npm start` generated for this role, if a local coordinator keeps one (`.aitbc/dev-keys.json`). */
async function devKey(env: NodeJS.ProcessEnv, io: Io, role: 'client' | 'admin'): Promise<[string, string] | null> {
  const file = join(nonEmpty(env.AITBC_DATA_DIR) ?? join(io.cwd, '.aitbc'), 'dev-keys.json');
  if ((await io.fileMode(file)) === null) {
    return null;
  }
  try {
    const keys = JSON.parse(await io.readText(file)) as Record<string, unknown>;
    const key = keys[role];
    return typeof key === 'string' && key !== '' ? [key, `the dev key file ${file}`] : null;
  } catch {
    return null;
  }
}

/** A command that needs a key fails without a request when none is configured. */
export function requireKey(config: Pick<CliConfig, 'apiKey'>): string {
  if (config.apiKey === null) {
    throw new CliError(
      EXIT.auth,
      'no API key: pass --api-key, set AITBC_API_KEY (or CLIENT_KEY), or add api_key to a profile',
    );
  }
  return config.apiKey;
}
