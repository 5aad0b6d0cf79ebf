/** Time, injected so rules that depend on it can be tested with a fixed clock. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('Clock');
export const systemClock: Clock = { now: () => new Date() };
