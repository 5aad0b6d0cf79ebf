import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { EventRegistry, EventStore } from '@aitbc/event-store';
import { CONFIG, CoordinatorConfig } from '../config';
import { EVENT_DEFINITIONS } from '../events';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';

/** The pg pool behind TypeORM: the event store and projectors write through it, in one pool. */
export const PG_POOL = Symbol('PG_POOL');

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [CONFIG],
      useFactory: (config: CoordinatorConfig) => dataSourceOptions(config),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        return dataSource;
      },
    }),
  ],
  providers: [
    {
      provide: PG_POOL,
      inject: [getDataSourceToken(), CONFIG],
      useFactory: async (dataSource: DataSource, config: CoordinatorConfig): Promise<Pool> => {
        if (config.migrationsRun) {
          const applied = await runMigrations(dataSource);
          new Logger('migrations').log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
        }
        const pool = (dataSource.driver as PostgresDriver).master as Pool;
        // every connection gets a listener: one lost while checked out must not crash the process
        const logger = new Logger('database');
        pool.on('connect', (client) => {
          client.on('error', (error) => logger.warn(`connection lost: ${error.message}`));
        });
        return pool;
      },
    },
    { provide: EventRegistry, useFactory: () => new EventRegistry(EVENT_DEFINITIONS) },
    { provide: EventStore, inject: [EventRegistry], useFactory: (registry: EventRegistry) => new EventStore(registry) },
  ],
  exports: [PG_POOL, EventRegistry, EventStore],
})
export class DatabaseModule {}
