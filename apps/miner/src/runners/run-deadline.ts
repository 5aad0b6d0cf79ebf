import type { RunMetrics, RunOutcome } from './runner';

export type StopReason = 'timeout' | 'canceled';

/** One signal for everything that may stop a run, remembering which of them did. */
export interface RunDeadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  stopReason(): StopReason | null;
  dispose(): void;
}

/**
 * Starts the run's own timer next to the caller's signal. A caller that aborts with a `TimeoutError`
 * (as `AbortSignal.timeout()` does) means a timeout; any other abort is a cancel.
 */
export function startRunDeadline(external: AbortSignal, timeoutMs: number): RunDeadline {
  const controller = new AbortController();
  let reason: StopReason | null = null;
  const stop = (why: StopReason) => {
    if (reason === null) {
      reason = why;
      controller.abort(new DOMException(why, why === 'timeout' ? 'TimeoutError' : 'AbortError'));
    }
  };
  const onAbort = () => stop(isTimeoutReason(external.reason) ? 'timeout' : 'canceled');
  const timer = setTimeout(() => stop('timeout'), Math.max(0, timeoutMs));
  if (external.aborted) {
    onAbort();
  } else {
    external.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    timeoutMs,
    stopReason: () => reason,
    dispose: () => {
      clearTimeout(timer);
      external.removeEventListener('abort', onAbort);
    },
  };
}

function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

/** The outcome of a run stopped by its deadline: `E_TIMEOUT`, or the cancel outcome every runner shares. */
export function stoppedOutcome(reason: StopReason, what: string, timeoutMs: number, metrics: RunMetrics): RunOutcome {
  switch (reason) {
    case 'timeout':
      return {
        ok: false,
        code: 'E_TIMEOUT',
        message: `${what} did not finish within ${formatSeconds(timeoutMs)}`,
        metrics,
      };
    case 'canceled':
      return { ok: false, code: 'E_RUNTIME', message: 'canceled', canceled: true, metrics };
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Keeps messages that reach the coordinator short and on one line. */
export function shortMessage(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
