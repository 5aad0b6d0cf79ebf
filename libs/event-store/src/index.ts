export * from './types';
export * from './errors';
export * from './event-registry';
export * from './event-store';
export * from './projection-runner';
export * from './transaction';
export * from './schema';
export * from './uuid7';
