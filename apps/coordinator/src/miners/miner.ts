import type { MinerEvent, MinerRegisteredData, NewMinerEvent } from './miner.events';
import { MinerNotRegisteredError } from './miner.errors';

/** What a miner declares about itself. OFFLINE is not a state: it is read off a stale heartbeat. */
export type MinerStatus = 'ONLINE' | 'DRAINING';

export interface MinerState {
  registered: boolean;
  minerId: string;
  ownerId: string;
  status: MinerStatus;
  concurrency: number;
}

export const initialMinerState = (): MinerState => ({
  registered: false,
  minerId: '',
  ownerId: '',
  status: 'ONLINE',
  concurrency: 0,
});

export function evolveMiner(state: MinerState, event: MinerEvent): MinerState {
  switch (event.type) {
    case 'MinerRegistered':
      // a restarted daemon registers again and starts taking work, whatever it declared before
      return {
        registered: true,
        minerId: event.data.miner_id,
        ownerId: event.data.owner_id,
        status: 'ONLINE',
        concurrency: event.data.concurrency,
      };
    case 'MinerDrained':
      return { ...state, status: 'DRAINING' };
    case 'MinerResumed':
      return { ...state, status: 'ONLINE' };
  }
}

/* ---------- decisions: state + command → events, or a domain error ---------- */

/** Registering is an upsert: every registration is recorded, a new one replaces the last. */
export function decideRegister(_state: MinerState, registration: MinerRegisteredData): NewMinerEvent[] {
  return [{ type: 'MinerRegistered', data: registration }];
}

/** The miner declares a status; only a change is recorded, so repeating it is harmless. */
export function decideStatus(state: MinerState, status: MinerStatus, now: Date): NewMinerEvent[] {
  if (!state.registered) {
    throw new MinerNotRegisteredError();
  }
  if (state.status === status) {
    return [];
  }
  const at = now.toISOString();
  return status === 'DRAINING'
    ? [{ type: 'MinerDrained', data: { miner_id: state.minerId, drained_at: at } }]
    : [{ type: 'MinerResumed', data: { miner_id: state.minerId, resumed_at: at } }];
}

export function decideDrain(state: MinerState, now: Date): NewMinerEvent[] {
  return decideStatus(state, 'DRAINING', now);
}
