import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { AggregateCommands, Decision, EventStore } from '@aitbc/event-store';
import { PG_POOL } from '../database/database.module';
import { evolveMiner, initialMinerState, MinerState } from './miner';
import { MinerEvent, minerStreamId, NewMinerEvent } from './miner.events';
import { MinerSession, projectMinerEvents } from './projections/miners.projector';

/** `context` (the session) is required when the events register the miner. */
export type MinerDecision<T> = Decision<NewMinerEvent, T, MinerSession>;

/** Miner commands: fold, decide, append, project the `miners` read model — one transaction. */
@Injectable()
export class MinerStore extends AggregateCommands<MinerState, MinerEvent, NewMinerEvent, MinerSession> {
  constructor(@Inject(PG_POOL) pool: Pool, store: EventStore) {
    super(pool, store, {
      streamId: minerStreamId,
      initialState: initialMinerState,
      evolve: evolveMiner,
      project: (tx: PoolClient, _id, events, _before, session) => projectMinerEvents(tx, events, session ?? null),
    });
  }
}
