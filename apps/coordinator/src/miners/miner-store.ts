import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError, EventStore, NO_STREAM, Queryable, withTransaction } from '@aitbc/event-store';
import { PG_POOL } from '../database/database.module';
import { evolveMiner, initialMinerState, MinerState } from './miner';
import { MinerEvent, minerStreamId, NewMinerEvent } from './miner.events';
import { MinerSession, projectMinerEvents } from './projections/miners.projector';

const MAX_TRIES = 5;

export interface MinerDecision<T> {
  events: NewMinerEvent[];
  result: T;
  /** required when `events` registers the miner */
  session?: MinerSession;
}

/**
 * Runs miner commands: in one transaction, fold the miner's stream, decide, append at the version
 * read, and update the `miners` read model. A concurrent change to the same miner makes the append
 * fail; the whole command is then run again on the new state (a few times, then the conflict surfaces).
 */
@Injectable()
export class MinerStore {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

  load(db: Queryable, minerId: string): Promise<{ state: MinerState; version: number }> {
    return this.store.aggregateStream<MinerState, MinerEvent>(db, minerStreamId(minerId), {
      initialState: initialMinerState,
      evolve: evolveMiner,
    });
  }

  async execute<T>(
    minerId: string,
    decide: (state: MinerState, tx: PoolClient) => MinerDecision<T> | Promise<MinerDecision<T>>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.pool, (tx) => this.executeIn(tx, minerId, decide));
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_TRIES) {
          throw error;
        }
      }
    }
  }

  /** The same, inside a transaction the caller owns. */
  async executeIn<T>(
    tx: PoolClient,
    minerId: string,
    decide: (state: MinerState, tx: PoolClient) => MinerDecision<T> | Promise<MinerDecision<T>>,
  ): Promise<T> {
    const { state, version } = await this.load(tx, minerId);
    const { events, result, session } = await decide(state, tx);
    if (events.length > 0) {
      await this.store.append(tx, minerStreamId(minerId), events, {
        expectedVersion: version === 0 ? NO_STREAM : version,
      });
      await projectMinerEvents(tx, events, session ?? null);
    }
    return result;
  }
}
