import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../apps/coordinator/src/config';
import { dataSourceOptions } from '../../apps/coordinator/src/database/data-source-options';
import { runMigrations } from '../../apps/coordinator/src/database/migrate';
import { testDatabaseUrl } from './test-database';

const READY = Symbol.for('aitbc.test-database-ready');

/**
 * One global setup for the integration and e2e tiers: create the test database if needed, empty
 * it, and migrate it with the app's own migrations. Refuses a database whose name lacks "test".
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as unknown as Record<symbol, boolean>;
  if (state[READY]) {
    return;
  }
  const url = testDatabaseUrl();
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/test/i.test(name)) {
    throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS bullmq CASCADE; CREATE SCHEMA public;');
  } finally {
    await db.end();
  }
  const dataSource = await new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url }))).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.env.DATABASE_URL = url;
  state[READY] = true;
}
