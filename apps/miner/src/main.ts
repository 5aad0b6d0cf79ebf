import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger, createRootLogger } from '@aitbc/contracts';
import { loadMinerConfig, MinerConfig, MinerConfigError } from './config';
import { MinerModule } from './miner.module';

const HELP = `aitbc miner — the AITBC GPU miner daemon

Usage: node dist/apps/miner/src/main.js [--help] [--version]
       npm run start:miner

Registers with a coordinator, heartbeats, pulls jobs and runs them on Ollama or allow-listed tools,
then reports results. Serves /healthz on MINER_PORT.

Environment:
  COORDINATOR_URL                     coordinator base URL            (default http://127.0.0.1:18000)
  MINER_API_KEY                       miner key issued by the coordinator operator
  MINER_ID                            this daemon's name under that key (X-Miner-ID)
  OLLAMA_URL                          Ollama server                   (default http://127.0.0.1:11434)
  MINER_PORT                          HTTP port for /healthz          (default 18001)
  MINER_HOST                          HTTP bind address               (default 0.0.0.0)
  MINER_HEARTBEAT_INTERVAL_SECONDS    heartbeat interval              (default 15)
  LOG_LEVEL                           fatal|error|warn|info|debug|trace (default info)
`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
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
    MinerModule.forRoot(config),
    new FastifyAdapter({ loggerInstance: logger }),
    { logger: new JsonLogger(logger) },
  );
  const shutdown = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 30_000).unref();
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
  if (!config.apiKey) {
    logger.warn('MINER_API_KEY is not set: the coordinator will refuse this miner');
  }
  process.stdout.write(
    `\nAITBC miner serving http://127.0.0.1:${config.port}/healthz, coordinator ${config.coordinatorUrl}\n\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`aitbc miner failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
