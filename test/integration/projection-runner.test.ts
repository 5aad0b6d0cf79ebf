import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  ANY_VERSION,
  EventRegistry,
  EventStore,
  Projection,
  ProjectionRunner,
  Queryable,
  RecordedEvent,
  rebuildProjection,
} from '@aitbc/event-store';
import { createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const store = new EventStore(new EventRegistry([{ type: 'Tallied' }, { type: 'Ignored' }]));

/** A read model counting events per stream, for the streams of one test (by prefix). */
function tallyProjection(
  prefix: string,
  table: string,
  hooks: { failOnce?: boolean } = {},
): Projection & { calls: number } {
  let failOnce = hooks.failOnce ?? false;
  return {
    name: `tally-${prefix}`,
    handles: ['Tallied'],
    calls: 0,
    async handle(tx: Queryable, events: readonly RecordedEvent[]) {
      this.calls++;
      for (const event of events.filter((e) => e.streamId.startsWith(prefix))) {
        await tx.query(
          `INSERT INTO ${table} (stream_id, n, last_position) VALUES ($1, 1, $2)
           ON CONFLICT (stream_id) DO UPDATE SET n = ${table}.n + 1, last_position = EXCLUDED.last_position`,
          [event.streamId, event.streamPosition],
        );
      }
      if (failOnce) {
        failOnce = false;
        // the read model is written; the crash comes before the checkpoint commits
        throw new Error('crash before commit');
      }
    },
    async reset(tx: Queryable) {
      await tx.query(`DELETE FROM ${table}`);
    },
  };
}

describe('projection runner (real PostgreSQL)', () => {
  let pool: Pool;
  let otherProcessPool: Pool;
  let table: string;
  let prefix: string;

  beforeAll(() => {
    pool = createTestPool(8);
    otherProcessPool = createTestPool(4);
  });
  afterAll(async () => {
    await pool.end();
    await otherProcessPool.end();
  });
  beforeEach(async () => {
    prefix = `p${randomUUID().slice(0, 8)}-`;
    table = `tally_${prefix.slice(0, -1)}`;
    await pool.query(
      `CREATE TABLE ${table} (stream_id text PRIMARY KEY, n int NOT NULL, last_position bigint NOT NULL)`,
    );
  });
  afterEach(async () => {
    await pool.query(`DROP TABLE ${table}`);
  });

  const append = (stream: number, type = 'Tallied') =>
    store.append(pool, `${prefix}${stream}`, [{ type, data: {} }], { expectedVersion: ANY_VERSION });
  const readModel = async () =>
    (
      await pool.query<{ stream_id: string; n: number; last_position: string }>(
        `SELECT stream_id, n, last_position FROM ${table} ORDER BY stream_id`,
      )
    ).rows;
  const total = async () => (await readModel()).reduce((sum, row) => sum + row.n, 0);
  /**
   * A new consumer would otherwise start at the beginning of a feed that earlier suites filled with
   * tens of thousands of events; this test's events all come after the head.
   */
  const startAtFeedHead = async (projection: Projection) => {
    await pool.query(
      `INSERT INTO es_checkpoints (consumer_id, transaction_id, global_position)
       SELECT $1, COALESCE(MAX(transaction_id), '0'::xid8), COALESCE(MAX(global_position), 0) FROM es_events`,
      [projection.name],
    );
  };

  it('re-processes a batch that crashed after its read-model write, with no double effect', async () => {
    for (let i = 0; i < 30; i++) {
      await append(i % 3);
    }
    const projection = tallyProjection(prefix, table, { failOnce: true });
    const runner = new ProjectionRunner(pool, store, projection, { batchSize: 1000 });
    try {
      // earlier suites' events come first in the feed; the batch holding ours crashes
      let crash: unknown = null;
      for (let batch = 0; batch < 1000 && crash === null; batch++) {
        const consumed = await runner.runOnce().catch((error: unknown) => ((crash = error), -1));
        if (consumed === 0) {
          break;
        }
      }
      expect(crash).toEqual(new Error('crash before commit'));
      expect(await total()).toBe(0);

      while ((await runner.runOnce()) > 0) {
        // drain the feed
      }
      expect(await readModel()).toEqual([
        { stream_id: `${prefix}0`, n: 10, last_position: '10' },
        { stream_id: `${prefix}1`, n: 10, last_position: '10' },
        { stream_id: `${prefix}2`, n: 10, last_position: '10' },
      ]);
      expect(projection.calls).toBeGreaterThanOrEqual(2);
    } finally {
      await runner.stop();
    }
  });

  it('lets only one of two instances of a consumer process, and hands over when it stops', async () => {
    const projectionA = tallyProjection(prefix, table);
    const projectionB = tallyProjection(prefix, table);
    await startAtFeedHead(projectionA);
    const a = new ProjectionRunner(pool, store, projectionA, { idleDelayMs: 10, lockRetryMs: 20, batchSize: 7 });
    const b = new ProjectionRunner(otherProcessPool, store, projectionB, {
      idleDelayMs: 10,
      lockRetryMs: 20,
      batchSize: 7,
    });
    a.start();
    await waitFor(() => a.isActive, { message: 'runner A to become active' });
    b.start();
    try {
      for (let i = 0; i < 100; i++) {
        await append(i % 10);
      }
      await waitFor(async () => (await total()) === 100, { message: '100 events projected' });
      expect(a.isActive).toBe(true);
      expect(b.isActive).toBe(false);
      expect(projectionB.calls).toBe(0);
      expect((await readModel()).every((row) => row.n === 10)).toBe(true);

      await a.stop();
      await waitFor(() => b.isActive, { message: 'runner B to take over' });
      for (let i = 0; i < 20; i++) {
        await append(i % 10);
      }
      await waitFor(async () => (await total()) === 120, { message: '120 events projected' });
      expect((await readModel()).every((row) => row.n === 12)).toBe(true);
      expect(projectionB.calls).toBeGreaterThan(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('rebuilds from zero to exactly the live read model, even while the live runner is active', async () => {
    const projection = tallyProjection(prefix, table);
    await startAtFeedHead(projection);
    const runner = new ProjectionRunner(pool, store, projection, { idleDelayMs: 10, batchSize: 50 });
    runner.start();
    try {
      for (let i = 0; i < 120; i++) {
        await append(i % 7, i % 5 === 0 ? 'Ignored' : 'Tallied');
      }
      await waitFor(async () => (await total()) === 96, { message: 'live projection caught up' });
      const live = await readModel();

      await pool.query(`UPDATE ${table} SET n = 999`);
      const rebuilt = await rebuildProjection(otherProcessPool, store, projection, 17);
      expect(rebuilt.events).toBeGreaterThanOrEqual(120);
      expect(await readModel()).toEqual(live);

      // the live runner carries on from the rebuilt checkpoint without double-counting
      for (let i = 0; i < 7; i++) {
        await append(i);
      }
      await waitFor(async () => (await total()) === 103, { message: 'live projection after rebuild' });
      const expected = live.map((row) => ({
        ...row,
        n: row.n + 1,
        last_position: String(Number(row.last_position) + 1),
      }));
      // streams whose last event was "Ignored" moved further than the read model saw: compare counts only
      expect((await readModel()).map((r) => [r.stream_id, r.n])).toEqual(expected.map((r) => [r.stream_id, r.n]));
    } finally {
      await runner.stop();
    }
  }, 60_000); // the rebuild re-reads the whole shared feed from zero, however many events earlier suites left
});
