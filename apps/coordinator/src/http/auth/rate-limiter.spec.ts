import { RateLimitedError, RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of the per-minute budget, then refuses with the wait until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < 60; i++) {
      limiter.take('alice', 60);
    }
    expect(() => limiter.take('alice', 60)).toThrow(new RateLimitedError(1));
    now += 1000; // one token a second at 60/min
    expect(() => limiter.take('alice', 60)).not.toThrow();
    expect(() => limiter.take('alice', 60)).toThrow(RateLimitedError);
  });

  it('keeps callers apart and reports longer waits for slow budgets', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    limiter.take('a', 1);
    expect(() => limiter.take('b', 1)).not.toThrow();
    let error: unknown;
    try {
      limiter.take('a', 1);
    } catch (caught) {
      error = caught;
    }
    expect((error as RateLimitedError).retryAfterSeconds).toBe(60);
    now += 30_000;
    expect(() => limiter.take('a', 1)).toThrow(new RateLimitedError(30));
  });
});
