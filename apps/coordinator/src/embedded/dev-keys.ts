import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevKeys {
  client: string;
  miner: string;
  admin: string;
}

/** The env entries that configure the dev keys as the `dev-client`, `dev-miner` and `dev-admin` principals. */
export function devKeyEnv(keys: DevKeys): Record<string, string> {
  return {
    CLIENT_API_KEYS: `dev-client:${keys.client}`,
    MINER_API_KEYS: `dev-miner:${keys.miner}`,
    ADMIN_API_KEYS: `dev-admin:${keys.admin}`,
  };
}

/**
 * API keys for a start with none configured: generated once and kept in `<dataDir>/dev-keys.json`
 * (mode 600) so a restart keeps them. Never used when any key is configured or in production.
 */
export async function ensureDevKeys(dataDir: string): Promise<DevKeys> {
  const file = join(dataDir, 'dev-keys.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<DevKeys>;
    if (saved.client && saved.miner && saved.admin) {
      return { client: saved.client, miner: saved.miner, admin: saved.admin };
    }
  } catch {
    // first start
  }
  const make = (prefix: string) => `${prefix}_${randomBytes(24).toString('hex')}`;
  const keys: DevKeys = { client: make('ck'), miner: make('mk'), admin: make('ak') };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  return keys;
}

export function hasConfiguredKeys(env: NodeJS.ProcessEnv): boolean {
  return ['CLIENT_API_KEYS', 'MINER_API_KEYS', 'ADMIN_API_KEYS'].some((name) => (env[name] ?? '').trim() !== '');
}
