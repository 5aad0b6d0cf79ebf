/** Background work that must survive restarts and run once across coordinators. */
export const MAINTENANCE_QUEUE = 'maintenance';

/** Time-based job rules (queue TTL, lease expiry, run timeout): one scheduler, a worker of concurrency 1. */
export const TIMERS_QUEUE = 'timers';

/** Sealing pending ledger transactions into blocks: one scheduler, a worker of concurrency 1. */
export const BLOCKS_QUEUE = 'blocks';
