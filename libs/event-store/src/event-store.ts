import { uuidv7 } from './uuid7';
import type { DatabaseError } from 'pg';
import { ConcurrencyError, DuplicateEventError } from './errors';
import { EventRegistry } from './event-registry';
import { APPEND_SQL, VersionRule } from './append-sql';
import {
  ANY_VERSION,
  AppendResult,
  Evolve,
  ExpectedVersion,
  FEED_START,
  FeedPosition,
  NewEvent,
  NO_STREAM,
  Queryable,
  RecordedEvent,
  StreamEvent,
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

const READ_STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM es_events
  WHERE stream_id = $1 AND stream_position > $2 ORDER BY stream_position`;

/** Folding needs only these columns; fewer columns and no dates to parse make commands faster. */
const FOLD_STREAM_SQL = `SELECT stream_position, event_type, schema_version, data FROM es_events
  WHERE stream_id = $1 ORDER BY stream_position`;

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
    const { rule, expected } = versionRule(options.expectedVersion);
    const streamType = options.streamType ?? streamTypeOf(streamId);
    const head: unknown[] = [streamId, events.length, rule === 'exact' ? expected : streamType];
    let query: { name: string; text: string; values: unknown[] };
    if (events.length === 1) {
      const [event] = events;
      query = {
        ...APPEND_SQL.single[rule],
        values: [
          ...head,
          event.eventId ?? uuidv7(),
          event.type,
          this.registry.schemaVersionOf(event.type),
          JSON.stringify(event.data ?? {}),
          JSON.stringify(event.metadata ?? {}),
        ],
      };
    } else {
      query = {
        ...APPEND_SQL.batch[rule],
        values: [
          ...head,
          events.map((event) => event.eventId ?? uuidv7()),
          events.map((event) => event.type),
          events.map((event) => this.registry.schemaVersionOf(event.type)),
          events.map((event) => JSON.stringify(event.data ?? {})),
          events.map((event) => JSON.stringify(event.metadata ?? {})),
        ],
      };
    }
    let rows: { stream_position: string; global_position: string; transaction_id: string }[];
    try {
      ({ rows } = await db.query(query));
    } catch (error) {
      const pgError = error as DatabaseError;
      if (pgError.code === '23505' && pgError.constraint === 'es_events_event_id_key') {
        throw new DuplicateEventError(/\(event_id\)=\(([^)]+)\)/.exec(pgError.detail ?? '')?.[1] ?? null);
      }
      throw error;
    }
    if (rows.length === 0) {
      throw new ConcurrencyError(streamId, String(options.expectedVersion));
    }
    const ordered =
      rows.length > 1 ? [...rows].sort((x, y) => Number(x.stream_position) - Number(y.stream_position)) : rows;
    return {
      nextVersion: Number(ordered[ordered.length - 1].stream_position),
      globalPositions: ordered.map((row) => Number(row.global_position)),
      transactionId: ordered[0].transaction_id,
    };
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
  async aggregateStream<S, E extends StreamEvent = StreamEvent>(
    db: Queryable,
    streamId: string,
    options: { initialState: () => S; evolve: Evolve<S, E> },
  ): Promise<AggregateResult<S>> {
    const { rows } = await db.query<Pick<EventRow, 'stream_position' | 'event_type' | 'schema_version' | 'data'>>({
      name: 'es_fold_stream',
      text: FOLD_STREAM_SQL,
      values: [streamId],
    });
    let state = options.initialState();
    let version = 0;
    for (const row of rows) {
      const { schemaVersion, data } = this.registry.upcast(row.event_type, row.schema_version, row.data);
      version = Number(row.stream_position);
      state = options.evolve(state, {
        streamId,
        streamPosition: version,
        type: row.event_type,
        schemaVersion,
        data,
      } as E);
    }
    return { state, version };
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

  /**
   * The position after which the next events of the feed will appear: a reader that starts here
   * sees everything committed from now on (and everything still in flight), nothing older.
   */
  async feedTail(db: Queryable): Promise<FeedPosition> {
    const { rows } = await db.query<{ transaction_id: string; global_position: string }>({
      name: 'es_feed_tail',
      text: `SELECT transaction_id::text AS transaction_id, global_position FROM es_events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    });
    return rows.length === 0
      ? FEED_START
      : { transactionId: rows[0].transaction_id, globalPosition: Number(rows[0].global_position) };
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

function versionRule(expected: ExpectedVersion): { rule: VersionRule; expected: number | null } {
  if (expected === ANY_VERSION) {
    return { rule: 'any', expected: null };
  }
  if (expected === NO_STREAM) {
    return { rule: 'noStream', expected: null };
  }
  if (!Number.isSafeInteger(expected) || expected < 1) {
    throw new RangeError(`expected version must be NO_STREAM, ANY_VERSION or an integer ≥ 1 (got ${expected})`);
  }
  return { rule: 'exact', expected };
}

export function streamTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}
