import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  ANY_VERSION,
  ConcurrencyError,
  DuplicateEventError,
  EventRegistry,
  EventStore,
  NO_STREAM,
  RecordedEvent,
  withTransaction,
} from '@aitbc/event-store';
import { createTestPool } from '../support/test-database';

const registry = new EventRegistry([{ type: 'CounterOpened' }, { type: 'CounterIncremented' }]);
const store = new EventStore(registry);
const opened = () => ({ type: 'CounterOpened', data: { at: 0 } });
const incremented = (by = 1) => ({ type: 'CounterIncremented', data: { by } });

describe('EventStore append (real PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createTestPool(10);
  });
  afterAll(async () => {
    await pool.end();
  });

  const positions = async (streamId: string) => (await store.readStream(pool, streamId)).map((e) => e.streamPosition);

  it('lets exactly one of two concurrent appends at the same expected version win, 1,000 rounds, gapless', async () => {
    const streamId = `race-${randomUUID()}`;
    await store.append(pool, streamId, [opened()], { expectedVersion: NO_STREAM });
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      let version = 1;
      let winsA = 0;
      for (let round = 0; round < 1000; round++) {
        const results = await Promise.allSettled([
          store.append(a, streamId, [incremented()], { expectedVersion: version }),
          store.append(b, streamId, [incremented()], { expectedVersion: version }),
        ]);
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
        expect((fulfilled[0] as PromiseFulfilledResult<{ nextVersion: number }>).value.nextVersion).toBe(version + 1);
        winsA += results[0].status === 'fulfilled' ? 1 : 0;
        version++;
      }
      // both sides must have won some rounds, or the appends were not really racing
      expect(winsA).toBeGreaterThan(0);
      expect(winsA).toBeLessThan(1000);
    } finally {
      a.release();
      b.release();
    }
    expect(await positions(streamId)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
    const { rows } = await pool.query('SELECT version FROM es_streams WHERE stream_id = $1', [streamId]);
    expect(rows).toEqual([{ version: '1001' }]);
  }, 120_000);

  it('refuses NO_STREAM on an existing stream and a version on a missing one', async () => {
    const streamId = `semantics-${randomUUID()}`;
    await expect(store.append(pool, streamId, [incremented()], { expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(positions(streamId)).resolves.toEqual([]);

    const first = await store.append(pool, streamId, [opened(), incremented()], { expectedVersion: NO_STREAM });
    expect(first.nextVersion).toBe(2);
    expect(first.globalPositions).toHaveLength(2);
    expect(first.globalPositions[1]).toBeGreaterThan(first.globalPositions[0]);

    await expect(store.append(pool, streamId, [opened()], { expectedVersion: NO_STREAM })).rejects.toThrow(
      new ConcurrencyError(streamId, NO_STREAM),
    );
    await expect(store.append(pool, streamId, [incremented()], { expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(store.append(pool, streamId, [incremented()], { expectedVersion: 3 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(store.append(pool, streamId, [incremented()], { expectedVersion: 2 })).resolves.toMatchObject({
      nextVersion: 3,
    });
    await expect(
      store.append(pool, streamId, [incremented()], { expectedVersion: ANY_VERSION }),
    ).resolves.toMatchObject({
      nextVersion: 4,
    });
    expect(await positions(streamId)).toEqual([1, 2, 3, 4]);
    await expect(store.append(pool, streamId, [incremented()], { expectedVersion: 0 })).rejects.toThrow(RangeError);
  });

  it('creates a stream with ANY_VERSION and keeps concurrent ANY appends gapless', async () => {
    const streamId = `any-${randomUUID()}`;
    await Promise.all(
      Array.from({ length: 40 }, () => store.append(pool, streamId, [incremented()], { expectedVersion: ANY_VERSION })),
    );
    expect(await positions(streamId)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('rejects an event id appended twice and leaves the stream as it was', async () => {
    const streamId = `dup-${randomUUID()}`;
    const eventId = randomUUID();
    await store.append(pool, streamId, [{ ...opened(), eventId }], { expectedVersion: NO_STREAM });
    const error = await store
      .append(pool, streamId, [{ ...incremented(), eventId }], { expectedVersion: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicateEventError);
    expect((error as DuplicateEventError).eventId).toBe(eventId);
    // the same id on another stream is a duplicate too: event ids are global
    await expect(
      store.append(pool, `other-${randomUUID()}`, [{ ...opened(), eventId }], { expectedVersion: NO_STREAM }),
    ).rejects.toBeInstanceOf(DuplicateEventError);
    expect(await positions(streamId)).toEqual([1]);
  });

  it("joins the caller's transaction: a rollback leaves nothing, a commit keeps everything", async () => {
    const streamId = `tx-${randomUUID()}`;
    await expect(
      withTransaction(pool, async (tx) => {
        await store.append(tx, streamId, [opened()], { expectedVersion: NO_STREAM });
        await store.append(tx, streamId, [incremented()], { expectedVersion: 1 });
        throw new Error('decided to abort');
      }),
    ).rejects.toThrow('decided to abort');
    expect(await positions(streamId)).toEqual([]);
    const { rowCount } = await pool.query('SELECT 1 FROM es_streams WHERE stream_id = $1', [streamId]);
    expect(rowCount).toBe(0);

    await withTransaction(pool, async (tx) => {
      await store.append(tx, streamId, [opened()], { expectedVersion: NO_STREAM });
      await store.append(tx, streamId, [incremented(5)], { expectedVersion: 1 });
    });
    expect(await positions(streamId)).toEqual([1, 2]);
  });

  it('stores type, schema version, data and metadata, and folds a stream with a pure evolve', async () => {
    const streamId = `fold-${randomUUID()}`;
    await store.append(pool, streamId, [opened(), incremented(2), incremented(3)], { expectedVersion: NO_STREAM });
    await store.append(pool, streamId, [{ ...incremented(10), metadata: { request_id: 'r-1' } }], {
      expectedVersion: 3,
    });
    const events = await store.readStream(pool, streamId);
    expect(events.map(({ type, data, schemaVersion, metadata }) => ({ type, data, schemaVersion, metadata }))).toEqual([
      { type: 'CounterOpened', data: { at: 0 }, schemaVersion: 1, metadata: {} },
      { type: 'CounterIncremented', data: { by: 2 }, schemaVersion: 1, metadata: {} },
      { type: 'CounterIncremented', data: { by: 3 }, schemaVersion: 1, metadata: {} },
      { type: 'CounterIncremented', data: { by: 10 }, schemaVersion: 1, metadata: { request_id: 'r-1' } },
    ]);
    expect(
      events.every((e) => e.streamId === streamId && /^\d+$/.test(e.transactionId) && e.recordedAt instanceof Date),
    ).toBe(true);
    expect(await store.readStream(pool, streamId, 2)).toEqual(events.slice(2));

    const evolve = (total: number, event: RecordedEvent) =>
      event.type === 'CounterIncremented' ? total + (event.data as { by: number }).by : total;
    await expect(store.aggregateStream(pool, streamId, { initialState: () => 0, evolve })).resolves.toEqual({
      state: 15,
      version: 4,
    });
    await expect(
      store.aggregateStream(pool, `missing-${randomUUID()}`, { initialState: () => 0, evolve }),
    ).resolves.toEqual({
      state: 0,
      version: 0,
    });
  });

  it('refuses to append an unregistered event type', async () => {
    await expect(
      store.append(pool, `typo-${randomUUID()}`, [{ type: 'CounterIncrementd', data: {} }], {
        expectedVersion: NO_STREAM,
      }),
    ).rejects.toThrow('event type "CounterIncrementd" is not registered');
  });

  it('upcasts old shapes on read', async () => {
    const streamId = `upcast-${randomUUID()}`;
    const v1 = new EventStore(new EventRegistry([{ type: 'PriceSet' }]));
    await v1.append(pool, streamId, [{ type: 'PriceSet', data: { price: 0.25 } }], { expectedVersion: NO_STREAM });
    const v2 = new EventStore(
      new EventRegistry([
        {
          type: 'PriceSet',
          schemaVersion: 2,
          upcasters: {
            1: (data) => ({ micro: Math.round((data as { price: number }).price * 1e6), currency: 'AITBC' }),
          },
        },
      ]),
    );
    await v2.append(pool, streamId, [{ type: 'PriceSet', data: { micro: 500_000, currency: 'AITBC' } }], {
      expectedVersion: 1,
    });
    const events = await v2.readStream(pool, streamId);
    expect(events.map((e) => [e.schemaVersion, e.data])).toEqual([
      [2, { micro: 250_000, currency: 'AITBC' }],
      [2, { micro: 500_000, currency: 'AITBC' }],
    ]);
    const { rows } = await pool.query(
      'SELECT schema_version, data FROM es_events WHERE stream_id = $1 ORDER BY stream_position',
      [streamId],
    );
    expect(rows).toEqual([
      { schema_version: 1, data: { price: 0.25 } },
      { schema_version: 2, data: { micro: 500_000, currency: 'AITBC' } },
    ]);
    await expect(v1.readStream(pool, streamId)).rejects.toThrow('newer than this build');
  });
});
