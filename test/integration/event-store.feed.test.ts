import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { EventRegistry, EventStore, FEED_START, FeedPosition, NO_STREAM, RecordedEvent } from '@aitbc/event-store';
import { createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const store = new EventStore(new EventRegistry([{ type: 'Noted' }]));
const noted = (text: string) => ({ type: 'Noted', data: { text } });

/** Reads the feed to its current end: the position after which new events will appear. */
async function feedTail(pool: Pool): Promise<FeedPosition> {
  let position: FeedPosition = FEED_START;
  for (;;) {
    const batch = await store.readFeed(pool, position, 1000);
    if (batch.length === 0) {
      return position;
    }
    position = batch[batch.length - 1];
  }
}

async function readAll(pool: Pool, from: FeedPosition): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let position = from;
  for (;;) {
    const batch = await store.readFeed(pool, position, 2);
    if (batch.length === 0) {
      return events;
    }
    events.push(...batch);
    position = batch[batch.length - 1];
  }
}

describe('global feed (real PostgreSQL)', () => {
  let pool: Pool;
  let early: PoolClient;
  let late: PoolClient;
  beforeAll(async () => {
    pool = createTestPool(6);
    early = await pool.connect();
    late = await pool.connect();
  });
  afterAll(async () => {
    early.release();
    late.release();
    await pool.end();
  });

  it('does not skip a transaction that took its id first but commits last', async () => {
    const tail = await feedTail(pool);
    const first = `feed-first-${randomUUID()}`;
    const second = `feed-second-${randomUUID()}`;

    await early.query('BEGIN');
    const a = await store.append(early, first, [noted('from the early transaction')], { expectedVersion: NO_STREAM });
    await late.query('BEGIN');
    const b = await store.append(late, second, [noted('from the late transaction')], { expectedVersion: NO_STREAM });
    expect(BigInt(a.transactionId)).toBeLessThan(BigInt(b.transactionId));
    await late.query('COMMIT');

    // The later transaction is committed, but the earlier one is still open: a reader now must not
    // move past it, or it would never see the early event.
    const between = await readAll(pool, tail);
    expect(between.filter((e) => e.streamId === first || e.streamId === second)).toEqual([]);
    const resumeFrom = between.length > 0 ? between[between.length - 1] : tail;

    await early.query('COMMIT');
    const after = await readAll(pool, resumeFrom);
    const ours = after.filter((e) => e.streamId === first || e.streamId === second);
    expect(ours.map((e) => e.data)).toEqual([
      { text: 'from the early transaction' },
      { text: 'from the late transaction' },
    ]);
    expect(ours.map((e) => e.transactionId)).toEqual([a.transactionId, b.transactionId]);
  });

  it('reports the tail: a reader starting there sees exactly what commits afterwards', async () => {
    // The snapshot horizon is cluster-wide: a transaction of any database still open when the tail is
    // taken may commit later and then show up after it ("still in flight"). Anything older may not.
    const horizon = BigInt(
      (await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0].xmin,
    );
    const tail = await store.feedTail(pool);
    const committedBefore = (await readAll(pool, tail)).filter((e) => BigInt(e.transactionId) < horizon);
    expect(committedBefore).toEqual([]);

    const streamId = `feed-tail-${randomUUID()}`;
    await store.append(pool, streamId, [noted('after the tail')], { expectedVersion: NO_STREAM });
    const [ours] = await store.readStream(pool, streamId);
    const seen = await waitFor(async () => {
      const after = await readAll(pool, tail);
      return after.some((e) => e.streamId === streamId) ? after : null;
    });
    expect(seen.filter((e) => e.streamId.startsWith('feed-tail-')).map((e) => e.streamId)).toEqual([streamId]);
    expect(seen.filter((e) => BigInt(e.transactionId) < horizon)).toEqual([]);
    const newTail = await waitFor(async () => {
      const position = await store.feedTail(pool);
      return position.globalPosition === ours.globalPosition ? position : null;
    });
    expect(newTail).toEqual({ transactionId: ours.transactionId, globalPosition: ours.globalPosition });
  });

  it('passes the position gap a rolled-back append leaves', async () => {
    const tail = await feedTail(pool);
    await early.query('BEGIN');
    const rolledBack = await store.append(early, `feed-gone-${randomUUID()}`, [noted('never committed')], {
      expectedVersion: NO_STREAM,
    });
    await early.query('ROLLBACK');
    const kept = `feed-kept-${randomUUID()}`;
    const committed = await store.append(pool, kept, [noted('committed')], { expectedVersion: NO_STREAM });
    expect(committed.globalPositions[0]).toBeGreaterThan(rolledBack.globalPositions[0]);

    const events = await readAll(pool, tail);
    expect(events.some((e) => e.globalPosition === rolledBack.globalPositions[0])).toBe(false);
    expect(events.filter((e) => e.streamId === kept).map((e) => e.globalPosition)).toEqual(committed.globalPositions);
  });

  it('returns events in (transaction, position) order with a multi-event append kept together', async () => {
    const tail = await feedTail(pool);
    const streamId = `feed-batch-${randomUUID()}`;
    await store.append(pool, streamId, [noted('1'), noted('2'), noted('3')], { expectedVersion: NO_STREAM });
    await store.append(pool, streamId, [noted('4')], { expectedVersion: 3 });
    const ours = (await readAll(pool, tail)).filter((e) => e.streamId === streamId);
    expect(ours.map((e) => e.streamPosition)).toEqual([1, 2, 3, 4]);
    expect(new Set(ours.slice(0, 3).map((e) => e.transactionId)).size).toBe(1);
  });
});
