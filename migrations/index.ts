import { CreateEventStore1763784000000 } from './1763784000000-CreateEventStore';
import { CreateJobAndMinerReadModels1763790000000 } from './1763790000000-CreateJobAndMinerReadModels';
import { CreateReceipts1763800000000 } from './1763800000000-CreateReceipts';
import { CreateLedger1763810000000 } from './1763810000000-CreateLedger';
import { CreateLedgerBlocks1763820000000 } from './1763820000000-CreateLedgerBlocks';

/**
 * Every migration, in order. Listed as classes rather than a glob so the same list works compiled
 * (CommonJS), under jest (ESM) and in the migrations CLI.
 */
export const MIGRATIONS = [
  CreateEventStore1763784000000,
  CreateJobAndMinerReadModels1763790000000,
  CreateReceipts1763800000000,
  CreateLedger1763810000000,
  CreateLedgerBlocks1763820000000,
];
