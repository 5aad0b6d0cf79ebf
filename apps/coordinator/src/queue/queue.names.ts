/** Background work that must survive restarts and run once across coordinators. */
export const MAINTENANCE_QUEUE = 'maintenance';
