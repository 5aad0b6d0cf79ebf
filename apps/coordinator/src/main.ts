import 'reflect-metadata';
import { RunningCoordinator, startCoordinator } from './bootstrap';
import { ConfigError } from './config';

async function main(): Promise<void> {
  let running: RunningCoordinator;
  try {
    running = await startCoordinator(process.env);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      error instanceof ConfigError
        ? `aitbc coordinator: ${message}\n`
        : `aitbc coordinator failed to start: ${message}\n`,
    );
    process.exit(1);
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      return;
    }
    closing = true;
    process.stderr.write(`aitbc coordinator: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 30_000).unref();
    await running.stop().catch(() => undefined);
    clearTimeout(force);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  printBanner(running);
}

/** Written to the terminal, not the JSON log: dev keys are secrets and never go into logs. */
function printBanner({ config, url, devKeys, embedded }: RunningCoordinator): void {
  const lines = [
    '',
    `AITBC coordinator listening on ${url}`,
    `  API docs   ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
    `  health     ${url}/v1/health   ${url}/health/ready`,
    `  database   ${embedded ? `embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort} (data in ${config.dataDir})` : 'PostgreSQL at DATABASE_URL'}`,
    `  queues     ${config.redisUrl ? 'BullMQ on Redis (REDIS_URL)' : 'BullMQ on PostgreSQL (set REDIS_URL for Redis)'}`,
  ];
  if (devKeys) {
    lines.push(
      `  dev API keys (generated once, kept in ${config.dataDir}/dev-keys.json; set *_API_KEYS to use your own):`,
      `    client  ${devKeys.client}`,
      `    miner   ${devKeys.miner}`,
      `    admin   ${devKeys.admin}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

void main();
