/**
 * Exponential backoff with ±20 % jitter: base, 2×base, 4×base … up to `capMs`. Jitter keeps a fleet
 * of miners from retrying a recovering coordinator in lockstep.
 */
export function backoffMs(failures: number, baseMs: number, capMs: number, random = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 20)));
  return Math.round(exponential * (0.8 + random() * 0.4));
}

/** The regular interval with ±20 % jitter. */
export function jittered(intervalMs: number, random = Math.random): number {
  return Math.round(intervalMs * (0.8 + random() * 0.4));
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
