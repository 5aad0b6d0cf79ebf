import type { CapabilitiesDto } from '@aitbc/contracts';
import type { EventDefinition, StreamEvent } from '@aitbc/event-store';

export interface MinerRegisteredData {
  miner_id: string;
  /** the miner key's principal: one key may run several daemons (X-Miner-ID) */
  owner_id: string;
  /** as the miner reported them; the read model normalises them for matching */
  capabilities: CapabilitiesDto;
  concurrency: number;
  region: string | null;
  endpoint: string | null;
  registered_at: string;
}

export interface MinerDrainedData {
  miner_id: string;
  drained_at: string;
}

export interface MinerResumedData {
  miner_id: string;
  resumed_at: string;
}

export type MinerEvent =
  | StreamEvent<'MinerRegistered', MinerRegisteredData>
  | StreamEvent<'MinerDrained', MinerDrainedData>
  | StreamEvent<'MinerResumed', MinerResumedData>;

export type MinerEventType = MinerEvent['type'];

/** A new miner event, before it is stored. */
export type NewMinerEvent = { [E in MinerEvent as E['type']]: { type: E['type']; data: E['data'] } }[MinerEventType];

export const MINER_EVENTS: readonly EventDefinition[] = [
  { type: 'MinerRegistered' },
  { type: 'MinerDrained' },
  { type: 'MinerResumed' },
];

export const minerStreamId = (minerId: string) => `miner-${minerId}`;
