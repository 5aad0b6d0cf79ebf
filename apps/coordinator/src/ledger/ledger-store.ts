import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { AggregateCommands, EventRegistry, EventStore, NO_STREAM, type Decide } from '@aitbc/event-store';
import { PG_POOL } from '../database/database.module';
import {
  evolveAccount,
  evolveEscrow,
  initialAccountState,
  initialEscrowState,
  type AccountState,
  type EscrowState,
} from './ledger';
import {
  accountStreamId,
  escrowStreamId,
  LEDGER_EVENTS,
  type AccountEvent,
  type EscrowEvent,
  type NewAccountEvent,
  type NewEscrowEvent,
} from './ledger.events';
import { projectLedgerEvents } from './ledger.projector';

/*
 * Settlement is called from inside other modules' transactions (the job projection), where no
 * dependency injection reaches; an event store that knows only the ledger's events appends them the
 * same way the application's does (the registry matters only for schema versions).
 */
const LEDGER_STORE = new EventStore(new EventRegistry(LEDGER_EVENTS));

const ESCROW = {
  streamId: escrowStreamId,
  initialState: initialEscrowState,
  evolve: evolveEscrow,
  project: (tx: PoolClient, _id: string, events: readonly NewEscrowEvent[]) => projectLedgerEvents(tx, events),
};

/**
 * Fold a job's escrow stream, decide, append at the version read, project — in the caller's
 * transaction. A concurrent settlement of the same job makes the append fail with a
 * `ConcurrencyError`, which aborts the caller's command (the job store retries it on fresh state).
 */
export async function executeEscrowIn<T>(
  tx: PoolClient,
  jobId: string,
  decide: Decide<EscrowState, NewEscrowEvent, T, undefined>,
): Promise<T> {
  const streamId = ESCROW.streamId(jobId);
  const { state, version } = await LEDGER_STORE.aggregateStream<EscrowState, EscrowEvent>(tx, streamId, ESCROW);
  const { events, result } = await decide(state, tx);
  if (events.length > 0) {
    await LEDGER_STORE.append(tx, streamId, events, { expectedVersion: version === 0 ? NO_STREAM : version });
    await ESCROW.project(tx, jobId, events);
  }
  return result;
}

export function loadEscrow(tx: PoolClient, jobId: string): Promise<{ state: EscrowState; version: number }> {
  return LEDGER_STORE.aggregateStream<EscrowState, EscrowEvent>(tx, escrowStreamId(jobId), ESCROW);
}

/** Deposits, one stream per account: its own transaction, retried on a concurrent deposit. */
@Injectable()
export class AccountCommands extends AggregateCommands<AccountState, AccountEvent, NewAccountEvent> {
  constructor(@Inject(PG_POOL) pool: Pool) {
    super(pool, LEDGER_STORE, {
      streamId: accountStreamId,
      initialState: initialAccountState,
      evolve: evolveAccount,
      project: (tx, _id, events) => projectLedgerEvents(tx, events),
    });
  }
}
