import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MINER_CONFIG } from './tokens';
import type { MinerConfig } from './config';

export type CoordinatorState = 'unknown' | 'reachable' | 'unreachable';

/**
 * Watches the coordinator: checks `/v1/health` on the heartbeat interval, backing off
 * exponentially (with jitter) while it is unreachable, and logs each change once.
 */
@Injectable()
export class CoordinatorLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('coordinator');
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  state: CoordinatorState = 'unknown';
  lastCheckedAt: Date | null = null;

  constructor(@Inject(MINER_CONFIG) private readonly config: MinerConfig) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.check(), delayMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    let next: CoordinatorState;
    try {
      const res = await fetch(`${this.config.coordinatorUrl}/v1/health`, { signal: AbortSignal.timeout(5000) });
      next = res.ok ? 'reachable' : 'unreachable';
    } catch {
      next = 'unreachable';
    }
    this.lastCheckedAt = new Date();
    if (next !== this.state) {
      this.logger.log(`coordinator ${this.config.coordinatorUrl} is ${next}`);
    }
    this.state = next;
    this.failures = next === 'reachable' ? 0 : this.failures + 1;
    const base = this.config.heartbeatIntervalSeconds * 1000;
    const backoff = next === 'reachable' ? base : Math.min(base, 500 * 2 ** Math.min(this.failures, 10));
    this.schedule(backoff * (0.8 + Math.random() * 0.4));
  }
}
