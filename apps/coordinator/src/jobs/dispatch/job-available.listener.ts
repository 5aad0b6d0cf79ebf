import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { CONFIG, type CoordinatorConfig } from '../../config';
import type { JobRequirements } from '../job.events';
import { JOB_AVAILABLE_CHANNEL } from './job-available';
import { couldRun, MinerProfile } from './miner-profile';

/** How many waiting miners one available job wakes: enough to absorb a lost race, not a stampede. */
const WAKE_PER_JOB = 4;

interface Waiter {
  miner: MinerProfile;
  wake: () => void;
}

/**
 * Wakes long-polling miners when a job becomes available on any coordinator: one dedicated
 * connection LISTENs on the channel that submits and requeues NOTIFY on commit. Waiters that could
 * run the job are woken oldest first; nothing polls the database in a loop.
 */
@Injectable()
export class JobAvailableListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('dispatch');
  private readonly waiters = new Set<Waiter>();
  private client: pg.Client | null = null;
  private closing = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(@Inject(CONFIG) private readonly config: CoordinatorConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
    }
    this.waiters.forEach((waiter) => waiter.wake());
    this.waiters.clear();
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  /**
   * Resolves when a job this miner could run becomes available, or after `ms`. Register before
   * looking at the queue, so a job submitted in between is not missed.
   */
  waitFor(miner: MinerProfile): { promise: (ms: number) => Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const waiter: Waiter = { miner, wake };
    this.waiters.add(waiter);
    const cancel = () => {
      this.waiters.delete(waiter);
      wake();
    };
    return {
      cancel,
      promise: async (ms: number) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
        clearTimeout(timer);
        this.waiters.delete(waiter);
      },
    };
  }

  get waiting(): number {
    return this.waiters.size;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.database.url, application_name: 'aitbc-dispatch' });
    client.on('notification', (message) => this.onJobAvailable(message.payload));
    client.on('error', (error) => this.reconnect(error));
    client.on('end', () => this.reconnect(new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_AVAILABLE_CHANNEL}`);
      this.client = client;
      // anything announced while we were not listening: let every waiter look again
      this.waiters.forEach((waiter) => waiter.wake());
    } catch (error) {
      await client.end().catch(() => undefined);
      this.reconnect(error as Error);
    }
  }

  private reconnect(error: Error): void {
    if (this.closing || this.retryTimer) {
      return;
    }
    this.logger.warn(`job notifications interrupted (${error.message}); reconnecting`);
    this.client = null;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, 1000);
  }

  private onJobAvailable(payload: string | undefined): void {
    let job: JobRequirements | null;
    try {
      job = payload ? (JSON.parse(payload) as JobRequirements) : null;
    } catch {
      job = null;
    }
    let woken = 0;
    for (const waiter of this.waiters) {
      if (job === null || couldRun(waiter.miner, job)) {
        this.waiters.delete(waiter);
        waiter.wake();
        if (++woken >= WAKE_PER_JOB) {
          return;
        }
      }
    }
  }
}
