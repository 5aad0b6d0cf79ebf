import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';
import type { CoordinatorConfig } from '../config';

/** The one TypeORM configuration, shared by the app and `ormconfig.ts` (the migrations CLI). */
export function dataSourceOptions(config: CoordinatorConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    extra: { max: config.database.poolSize, application_name: 'aitbc-coordinator' },
  };
}
