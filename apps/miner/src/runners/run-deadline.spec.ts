import { jest } from '@jest/globals';
import { startRunDeadline, stoppedOutcome } from './run-deadline';

describe('startRunDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts with "timeout" when its own timer fires', () => {
    const deadline = startRunDeadline(new AbortController().signal, 1000);
    jest.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(deadline.stopReason()).toBe('timeout');
    expect(deadline.signal.aborted).toBe(true);
  });

  it("takes an abort of the caller's signal as a cancel", () => {
    const caller = new AbortController();
    const deadline = startRunDeadline(caller.signal, 1000);
    caller.abort();
    expect(deadline.stopReason()).toBe('canceled');
    jest.advanceTimersByTime(2000);
    expect(deadline.stopReason()).toBe('canceled');
  });

  it("takes a caller's TimeoutError as a timeout", () => {
    const caller = new AbortController();
    caller.abort(new DOMException('job timeout', 'TimeoutError'));
    expect(startRunDeadline(caller.signal, 1000).stopReason()).toBe('timeout');
  });

  it('stops nothing once disposed', () => {
    const caller = new AbortController();
    const deadline = startRunDeadline(caller.signal, 1000);
    deadline.dispose();
    caller.abort();
    jest.advanceTimersByTime(2000);
    expect(deadline.stopReason()).toBeNull();
  });
});

describe('stoppedOutcome', () => {
  it('reports a timeout as E_TIMEOUT and a cancel as the shared canceled outcome', () => {
    expect(stoppedOutcome('timeout', 'ffmpeg', 1500, { duration_ms: 1501 })).toEqual({
      ok: false,
      code: 'E_TIMEOUT',
      message: 'ffmpeg did not finish within 1.5 s',
      metrics: { duration_ms: 1501 },
    });
    expect(stoppedOutcome('canceled', 'ffmpeg', 1500, { duration_ms: 3 })).toEqual({
      ok: false,
      code: 'E_RUNTIME',
      message: 'canceled',
      canceled: true,
      metrics: { duration_ms: 3 },
    });
  });
});
