import type { DataSource } from 'typeorm';

const MIGRATION_LOCK = 0x41_49_54_42; // "AITB": one migrator at a time across coordinators

/**
 * Runs pending migrations under a session advisory lock, so coordinators booting together do not
 * race each other; the others wait, then find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
