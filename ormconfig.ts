import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig, withDatabaseUrl } from './apps/coordinator/src/config';
import { dataSourceOptions } from './apps/coordinator/src/database/data-source-options';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run`), built by the coordinator's own config
 * loader. Without DATABASE_URL it targets the embedded server that `npm start` runs.
 */
function resolveConfig() {
  const config = loadConfig(process.env);
  const passwordFile = join(config.dataDir, 'embedded-postgres.json');
  if (!config.database.embedded || !existsSync(passwordFile)) {
    return config;
  }
  const { password } = JSON.parse(readFileSync(passwordFile, 'utf8')) as { password: string };
  const url = new URL(config.database.url);
  url.password = password;
  return withDatabaseUrl(config, url.toString());
}

export default new DataSource(dataSourceOptions(resolveConfig()));
