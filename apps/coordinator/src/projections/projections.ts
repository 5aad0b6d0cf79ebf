import type { Projection } from '@aitbc/event-store';
import { minerStatsProjection } from '../miners/projections/miner-stats.projection';

/**
 * Every async read model of the coordinator (checkpointed feed consumers), module by module.
 * Inline projections are not listed here: they run inside the command's own transaction.
 */
export const PROJECTIONS: readonly Projection[] = [minerStatsProjection];
