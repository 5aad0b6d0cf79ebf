import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError } from './errors';
import { EventStore } from './event-store';
import { withTransaction } from './transaction';
import { Evolve, NewEvent, NO_STREAM, Queryable, StreamEvent } from './types';

/** What a command decided: the events to append, what to return, and anything the projection needs. */
export interface Decision<N extends NewEvent, T, C = undefined> {
  events: N[];
  result: T;
  context?: C;
}

/** How one kind of aggregate is stored: its stream, its fold, and its inline projection. */
export interface AggregateDefinition<S, E extends StreamEvent, N extends NewEvent, C = undefined> {
  streamId(id: string): string;
  initialState(): S;
  evolve: Evolve<S, E>;
  /** inline projection, run in the command's transaction right after the append */
  project(tx: PoolClient, id: string, events: readonly N[], before: S, context: C | undefined): Promise<void>;
}

export type Decide<S, N extends NewEvent, T, C> = (
  state: S,
  tx: PoolClient,
) => Decision<N, T, C> | Promise<Decision<N, T, C>>;

/**
 * Runs commands on one kind of aggregate: in one transaction, fold the stream, decide, append at the
 * version read, project inline. A concurrent change to the same aggregate makes the append fail
 * with a `ConcurrencyError`; the whole command then runs again on the new state, up to `maxTries`.
 */
export class AggregateCommands<S, E extends StreamEvent, N extends NewEvent, C = undefined> {
  constructor(
    protected readonly pool: Pool,
    protected readonly store: EventStore,
    private readonly definition: AggregateDefinition<S, E, N, C>,
    private readonly maxTries = 5,
  ) {}

  load(db: Queryable, id: string): Promise<{ state: S; version: number }> {
    return this.store.aggregateStream<S, E>(db, this.definition.streamId(id), {
      initialState: () => this.definition.initialState(),
      evolve: this.definition.evolve,
    });
  }

  async execute<T>(id: string, decide: Decide<S, N, T, C>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.pool, (tx) => this.executeIn(tx, id, decide));
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= this.maxTries) {
          throw error;
        }
      }
    }
  }

  /** The same, inside a transaction the caller owns (no retry: the caller's transaction is aborted). */
  async executeIn<T>(tx: PoolClient, id: string, decide: Decide<S, N, T, C>): Promise<T> {
    const { state, version } = await this.load(tx, id);
    const { events, result, context } = await decide(state, tx);
    if (events.length > 0) {
      await this.store.append(tx, this.definition.streamId(id), events, {
        expectedVersion: version === 0 ? NO_STREAM : version,
      });
      await this.definition.project(tx, id, events, state, context);
    }
    return result;
  }
}
