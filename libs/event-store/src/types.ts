import type { QueryResult, QueryResultRow } from 'pg';

/** Anything that runs SQL: a `pg.Pool` (autocommit) or a `pg.PoolClient` inside the caller's transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}

/** Append only if the stream does not exist yet. */
export const NO_STREAM = 'no_stream';
/** Append whatever the stream's version (still atomic and gapless). */
export const ANY_VERSION = 'any';
/** `NO_STREAM`, `ANY_VERSION`, or the exact current version (≥ 1) the caller decided on. */
export type ExpectedVersion = typeof NO_STREAM | typeof ANY_VERSION | number;

/** An event to append. `eventId` makes a retried append detectable as a duplicate. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata?: Record<string, unknown>;
  eventId?: string;
}

/** What a fold sees of an event: enough to evolve state, already upcast. */
export interface StreamEvent<TType extends string = string, TData = unknown> {
  streamId: string;
  streamPosition: number;
  type: TType;
  schemaVersion: number;
  data: TData;
}

/** An event as stored, already upcast to its current schema version. */
export interface RecordedEvent<TType extends string = string, TData = unknown> extends StreamEvent<TType, TData> {
  globalPosition: number;
  /** xid8 of the appending transaction, as a decimal string */
  transactionId: string;
  eventId: string;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

export interface AppendResult {
  /** the stream's version after the append: the position of its last event */
  nextVersion: number;
  globalPositions: number[];
  transactionId: string;
}

/** A position in the global feed: events are ordered by (transactionId, globalPosition). */
export interface FeedPosition {
  transactionId: string;
  globalPosition: number;
}

export const FEED_START: FeedPosition = Object.freeze({ transactionId: '0', globalPosition: 0 });

/** Folds a stream into state: pure, no I/O. */
export type Evolve<S, E extends StreamEvent = StreamEvent> = (state: S, event: E) => S;
