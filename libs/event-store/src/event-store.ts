import { randomUUID } from 'node:crypto';
import type { DatabaseError } from 'pg';
import { ConcurrencyError, DuplicateEventError } from './errors';
import { EventRegistry } from './event-registry';
import { CONCURRENCY_SQLSTATE } from './schema';
import {
  ANY_VERSION,
  AppendResult,
  Evolve,
  ExpectedVersion,
  FeedPosition,
  NewEvent,
  NO_STREAM,
  Queryable,
  RecordedEvent,
} from './types';

interface EventRow {
  stream_id: string;
  stream_position: string;
  global_position: string;
  transaction_id: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const EVENT_COLUMNS = `stream_id, stream_position, global_position, transaction_id::text AS transaction_id,
  event_id, event_type, schema_version, data, metadata, recorded_at`;

const APPEND_SQL =
  'SELECT next_version, global_positions, transaction_id::text AS transaction_id FROM es_append($1, $2, $3, $4, $5, $6, $7, $8)';

const READ_STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM es_events
  WHERE stream_id = $1 AND stream_position > $2 ORDER BY stream_position`;

/*
 * Only events of transactions older than every transaction still running are visible to the feed:
 * a transaction that took its id earlier but commits later is waited for, never skipped.
 */
const READ_FEED_SQL = `SELECT ${EVENT_COLUMNS} FROM es_events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY transaction_id, global_position
  LIMIT $3`;

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** defaults to the part of the stream id before its first "-" (`job-abc` → `job`) */
  streamType?: string;
}

export interface AggregateResult<S> {
  state: S;
  /** 0 when the stream does not exist */
  version: number;
}

/**
 * A PostgreSQL event store. Every method takes the `Queryable` to run on, so an append joins the
 * caller's transaction (with its inline projections) or, given a pool, commits on its own in one
 * round trip.
 */
export class EventStore {
  constructor(readonly registry: EventRegistry) {}

  /**
   * Appends `events` to `streamId` if the stream is at `expectedVersion`; throws `ConcurrencyError`
   * if not and `DuplicateEventError` if an event id is already stored. Inside a transaction the
   * error leaves it aborted: roll back, reload and decide again.
   */
  async append(
    db: Queryable,
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (events.length === 0) {
      throw new RangeError('append needs at least one event');
    }
    const expected = encodeExpectedVersion(options.expectedVersion);
    const ids: string[] = [];
    const types: string[] = [];
    const versions: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    for (const event of events) {
      ids.push(event.eventId ?? randomUUID());
      types.push(event.type);
      versions.push(this.registry.schemaVersionOf(event.type));
      data.push(JSON.stringify(event.data ?? {}));
      metadata.push(JSON.stringify(event.metadata ?? {}));
    }
    const streamType = options.streamType ?? streamTypeOf(streamId);
    try {
      const { rows } = await db.query<{ next_version: string; global_positions: string[]; transaction_id: string }>({
        name: 'es_append',
        text: APPEND_SQL,
        values: [streamId, streamType, expected, ids, types, versions, data, metadata],
      });
      const row = rows[0];
      return {
        nextVersion: Number(row.next_version),
        globalPositions: row.global_positions.map(Number),
        transactionId: row.transaction_id,
      };
    } catch (error) {
      const pgError = error as DatabaseError;
      if (pgError.code === CONCURRENCY_SQLSTATE) {
        throw new ConcurrencyError(streamId, String(options.expectedVersion));
      }
      if (pgError.code === '23505' && pgError.constraint === 'es_events_event_id_key') {
        throw new DuplicateEventError(/\(event_id\)=\(([^)]+)\)/.exec(pgError.detail ?? '')?.[1] ?? null);
      }
      throw error;
    }
  }

  /** The stream's events after `afterPosition` (default: all), upcast, in stream order. */
  async readStream(db: Queryable, streamId: string, afterPosition = 0): Promise<RecordedEvent[]> {
    const { rows } = await db.query<EventRow>({
      name: 'es_read_stream',
      text: READ_STREAM_SQL,
      values: [streamId, afterPosition],
    });
    return rows.map((row) => this.toRecorded(row));
  }

  /** Folds the stream with a pure `evolve`; `version` is what to pass as the expected version. */
  async aggregateStream<S, E extends RecordedEvent = RecordedEvent>(
    db: Queryable,
    streamId: string,
    options: { initialState: () => S; evolve: Evolve<S, E> },
  ): Promise<AggregateResult<S>> {
    const events = await this.readStream(db, streamId);
    let state = options.initialState();
    for (const event of events) {
      state = options.evolve(state, event as E);
    }
    return { state, version: events.length === 0 ? 0 : events[events.length - 1].streamPosition };
  }

  /**
   * The next events of the global feed after `after`, in commit-safe order. Returns fewer than
   * `limit` (possibly none) while an older transaction is still running.
   */
  async readFeed(db: Queryable, after: FeedPosition, limit: number): Promise<RecordedEvent[]> {
    const { rows } = await db.query<EventRow>({
      name: 'es_read_feed',
      text: READ_FEED_SQL,
      values: [after.transactionId, after.globalPosition, limit],
    });
    return rows.map((row) => this.toRecorded(row));
  }

  private toRecorded(row: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.registry.upcast(row.event_type, row.schema_version, row.data);
    return {
      streamId: row.stream_id,
      streamPosition: Number(row.stream_position),
      globalPosition: Number(row.global_position),
      transactionId: row.transaction_id,
      eventId: row.event_id,
      type: row.event_type,
      schemaVersion,
      data,
      metadata: row.metadata,
      recordedAt: row.recorded_at,
    };
  }
}

function encodeExpectedVersion(expected: ExpectedVersion): number | null {
  if (expected === ANY_VERSION) {
    return null;
  }
  if (expected === NO_STREAM) {
    return -1;
  }
  if (!Number.isSafeInteger(expected) || expected < 1) {
    throw new RangeError(`expected version must be NO_STREAM, ANY_VERSION or an integer ≥ 1 (got ${expected})`);
  }
  return expected;
}

export function streamTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}
