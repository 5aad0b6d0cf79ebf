import { backoffMs, jittered, pause } from './backoff';

describe('backoffMs', () => {
  it('doubles from the base up to the cap', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 30].map((n) => backoffMs(n, 500, 5000, middle))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('jitters by at most 20 % either way', () => {
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(backoffMs(3, 1000, 60_000, () => 0.9999999)).toBe(4800);
    expect(jittered(15_000, () => 0)).toBe(12_000);
  });
});

describe('pause', () => {
  it('returns at once when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = pause(60_000, controller.signal);
    controller.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
