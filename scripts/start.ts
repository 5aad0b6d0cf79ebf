import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../apps/coordinator/src/config';
import { ensureDevKeys, hasConfiguredKeys } from '../apps/coordinator/src/embedded/dev-keys';

/**
 * `npm start`: the coordinator, then one miner pointed at it. With nothing configured the
 * coordinator runs on an embedded PostgreSQL with BullMQ on it, and both share generated dev keys.
 * Ctrl-C (or SIGTERM) stops both; if either exits on its own, the other is stopped too.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`aitbc: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const minerEnv: NodeJS.ProcessEnv = { ...process.env };
  if (!minerEnv.MINER_API_KEY) {
    if (hasConfiguredKeys(process.env)) {
      const first = (process.env.MINER_API_KEYS ?? '').split(',')[0]?.trim() ?? '';
      minerEnv.MINER_API_KEY = first.includes(':') ? first.slice(first.indexOf(':') + 1) : first;
    } else if (config.env !== 'production') {
      minerEnv.MINER_API_KEY = (await ensureDevKeys(config.dataDir)).miner;
    }
  }
  const port = config.port === 0 ? 18000 : config.port;
  minerEnv.COORDINATOR_URL ??= `http://127.0.0.1:${port}`;
  minerEnv.MINER_ID ??= 'local-miner';

  const dist = join(__dirname, '..');
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
      }
    }
    const exits = children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise((resolve) => child.once('exit', resolve)));
    Promise.all(exits).then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));

  const start = (name: string, file: string, env: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, [join(dist, file)], { env, stdio: 'inherit' });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`aitbc: the ${name} exited (${signal ?? `code ${code}`}); stopping\n`);
        stopAll(code ?? 1);
      }
    });
    children.push(child);
    return child;
  };

  start('coordinator', 'apps/coordinator/src/main.js', { ...process.env, PORT: String(port) });
  const ready = await waitForHealth(`http://127.0.0.1:${port}/v1/health`, 120_000, () => stopping);
  if (!ready || stopping) {
    if (!stopping) {
      process.stderr.write('aitbc: the coordinator did not become healthy within 120 s; stopping\n');
    }
    stopAll(1);
    return;
  }
  if (!minerEnv.MINER_API_KEY) {
    // Keys are configured, but none for miners: a miner could not authenticate, so run without one.
    process.stderr.write(
      'aitbc: no miner key (set MINER_API_KEYS for the coordinator, or MINER_API_KEY); starting the coordinator only\n',
    );
    return;
  }
  start('miner', 'apps/miner/src/main.js', minerEnv);
}

async function waitForHealth(url: string, timeoutMs: number, cancelled: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        return true;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

void main();
