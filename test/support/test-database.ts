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

/**
 * Forgets the coordinator's receipt keys. Blocks are signed with them, so the chain goes too (its
 * transactions become pending again): a chain whose keys are gone could no longer be verified.
 */
export async function resetReceiptKeys(db: pg.Pool | pg.Client): Promise<void> {
  await db.query(`UPDATE ledger_transactions SET block_height = NULL WHERE block_height IS NOT NULL;
    DELETE FROM ledger_blocks; DELETE FROM receipt_keys;`);
}

/**
 * Empties dispatch for a test that expects its own job from a poll: the queue, and the leases of
 * jobs earlier suites left running, which a sweeper would otherwise requeue in the middle of it.
 */
export async function clearDispatch(db: pg.Pool | pg.Client): Promise<void> {
  await db.query('DELETE FROM job_queue; DELETE FROM job_leases;');
}
