import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('lets the first error through, then one per quiet period, counting what it held back', () => {
    const throttle = new LogThrottle(30_000);
    expect(throttle.admit(1_000)).toEqual({ log: true, suppressed: 0 });
    expect(throttle.admit(2_000)).toEqual({ log: false });
    expect(throttle.admit(30_999)).toEqual({ log: false });
    expect(throttle.admit(31_000)).toEqual({ log: true, suppressed: 2 });
    expect(throttle.admit(90_000)).toEqual({ log: true, suppressed: 0 });
  });
});
