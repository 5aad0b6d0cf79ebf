import { AppError, ErrorCode } from '@aitbc/contracts';

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `rate limit exceeded: retry in ${retryAfterSeconds} s`);
  }
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets idle this long are full again and can be forgotten. */
const IDLE_MS = 120_000;

/**
 * Token buckets per caller: `perMinute` requests a minute, with bursts up to that many. Kept per
 * coordinator instance (N instances allow up to N × the budget); idle buckets are dropped so a
 * miner key naming many daemons cannot grow memory without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token for `caller`, or throws `RateLimitedError` with the wait until the next one. */
  take(caller: string, perMinute: number): void {
    const now = this.now();
    this.sweep(now);
    const refillPerMs = perMinute / 60_000;
    const bucket = this.buckets.get(caller) ?? { tokens: perMinute, updatedMs: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedMs) * refillPerMs);
    bucket.updatedMs = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens < 1) {
      throw new RateLimitedError(Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)));
    }
    bucket.tokens -= 1;
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < IDLE_MS) {
      return;
    }
    this.lastSweepMs = now;
    for (const [caller, bucket] of this.buckets) {
      if (now - bucket.updatedMs > IDLE_MS) {
        this.buckets.delete(caller);
      }
    }
  }
}
