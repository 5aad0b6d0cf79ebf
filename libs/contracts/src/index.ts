export * from './errors';
export * from './health';
export * from './logging';
export * from './money';
export * from './jobs.dto';
export * from './ledger.dto';
export * from './explorer.dto';
export * from './miners.dto';
