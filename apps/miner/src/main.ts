import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger, createRootLogger } from '@aitbc/contracts';
import { loadMinerConfig, MinerConfig, MinerConfigError, SETTINGS } from './config';
import { MinerModule } from './miner.module';

function help(): string {
  const rows = Object.entries(SETTINGS).map(
    ([key, setting]) =>
      `  ${setting.env.padEnd(34)} ${key.padEnd(28)} ${setting.help}${setting.fallback ? ` (default ${setting.fallback})` : ''}`,
  );
  return `aitbc miner — the AITBC GPU miner daemon

Usage: node dist/apps/miner/src/main.js [--help] [--version]
       npm run start:miner

Probes this machine (CPU, memory, disk, NVIDIA GPUs, Ollama models, allow-listed tools), registers
with a coordinator, heartbeats, long-polls for jobs, runs them on Ollama or allow-listed CLI tools
and reports results signed with its own key. Serves /healthz, /metrics, a dashboard at / and
POST /v1/jobs/assign (push mode) on MINER_PORT. SIGTERM drains: no new jobs, running jobs get
drain_timeout_seconds to finish, the rest are reported as retryable failures.

Configuration: a YAML file named by MINER_CONFIG (see miner.example.yaml), overridden by the
environment:

  ${'environment'.padEnd(34)} ${'YAML key'.padEnd(28)} meaning
${rows.join('\n')}
`;
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return;
  }
  const unknown = argv.filter((arg) => arg.startsWith('-'));
  if (unknown.length > 0) {
    process.stderr.write(`aitbc miner: unknown option ${unknown[0]} (see --help)\n`);
    process.exit(2);
  }
  let config: MinerConfig;
  try {
    config = loadMinerConfig(process.env);
  } catch (error) {
    if (error instanceof MinerConfigError) {
      process.stderr.write(`aitbc miner: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createRootLogger(config, 'miner');
  const app = await NestFactory.create<NestFastifyApplication>(
    await MinerModule.forRoot(config),
    new FastifyAdapter({ loggerInstance: logger }),
    { logger: new JsonLogger(logger) },
  );
  const shutdown = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), (config.drainTimeoutSeconds + 30) * 1000).unref();
    app.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(
    `\nAITBC miner serving http://127.0.0.1:${config.port}/healthz, coordinator ${config.coordinatorUrl}\n\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`aitbc miner failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
