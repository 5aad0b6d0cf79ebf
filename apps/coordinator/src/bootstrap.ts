import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createApp } from './app';
import { CoordinatorConfig, loadConfig, withDatabaseUrl } from './config';
import { devKeyEnv, DevKeys, ensureDevKeys, hasConfiguredKeys } from './embedded/dev-keys';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded/embedded-postgres';
import { createRootLogger } from '@aitbc/contracts';

export interface RunningCoordinator {
  app: NestFastifyApplication;
  config: CoordinatorConfig;
  /** the dev keys generated for this start, when none were configured */
  devKeys: DevKeys | null;
  embedded: EmbeddedDatabase | null;
  /** where it listens, e.g. http://127.0.0.1:18000 */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a coordinator from an environment: validates it (throws `ConfigError`), fills in the
 * zero-setup defaults (dev keys, embedded PostgreSQL, BullMQ on PostgreSQL), builds the app and
 * listens. `main.ts` and the e2e tests share it.
 */
export async function startCoordinator(env: NodeJS.ProcessEnv, logger?: Logger): Promise<RunningCoordinator> {
  let config = loadConfig(env);
  const log = logger ?? createRootLogger(config);
  let devKeys: DevKeys | null = null;
  if (!hasConfiguredKeys(env) && config.env !== 'production') {
    devKeys = await ensureDevKeys(config.dataDir);
    config = loadConfig({ ...env, ...devKeyEnv(devKeys) });
  }
  let embedded: EmbeddedDatabase | null = null;
  if (config.database.embedded) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.database.embeddedPort,
      logger: { log: (m) => log.info(m), error: (m) => log.error(m) },
    });
    config = withDatabaseUrl(config, embedded.url);
  }
  let app: NestFastifyApplication;
  try {
    app = await createApp(config, log);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    app,
    config,
    devKeys,
    embedded,
    url: `http://${host}:${port}`,
    stop: async () => {
      await app.close();
      await embedded?.stop();
    },
  };
}
