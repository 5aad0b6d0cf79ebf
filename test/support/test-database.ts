import pg from 'pg';

/** The database every integration and e2e test uses; its name must contain "test". */
export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/aitbc_test';
}

export function testRedisUrl(): string {
  return process.env.REDIS_URL || 'redis://127.0.0.1:6379/15';
}

export function createTestPool(max = 10): pg.Pool {
  return new pg.Pool({ connectionString: testDatabaseUrl(), max });
}
