/**
 * Lets the first of a run of errors through, then at most one per `quietMs`, counting what it held
 * back: a backend that is down fails every retry, and one line per retry would bury everything else.
 */
export class LogThrottle {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private held = 0;

  constructor(private readonly quietMs: number) {}

  /** Whether to log an error seen at `nowMs`; if so, how many were held back since the last one. */
  admit(nowMs: number): { log: false } | { log: true; suppressed: number } {
    if (nowMs - this.lastLoggedAt < this.quietMs) {
      this.held++;
      return { log: false };
    }
    const suppressed = this.held;
    this.lastLoggedAt = nowMs;
    this.held = 0;
    return { log: true, suppressed };
  }
}
