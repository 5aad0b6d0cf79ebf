export const MINER_CONFIG = Symbol('MinerConfig');
