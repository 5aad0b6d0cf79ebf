import type { EventDefinition } from '@aitbc/event-store';
import { JOB_EVENTS } from './jobs/job.events';
import { LEDGER_EVENTS } from './ledger/ledger.events';
import { MINER_EVENTS } from './miners/miner.events';

/**
 * Every event type of the coordinator, module by module. The registry refuses a name listed twice,
 * so a clash between modules stops the boot instead of corrupting history.
 */
export const EVENT_DEFINITIONS: readonly EventDefinition[] = [...JOB_EVENTS, ...MINER_EVENTS, ...LEDGER_EVENTS];
