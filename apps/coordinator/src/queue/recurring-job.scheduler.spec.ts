import { retryDelayMs } from './recurring-job.scheduler';

describe('retryDelayMs', () => {
  it('starts at one second and doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((failures) => retryDelayMs(failures))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(retryDelayMs(1_000)).toBe(30_000);
    expect(retryDelayMs(3, 2500)).toBe(2500);
  });
});
