import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventStore, FeedPosition, RecordedEvent } from '@aitbc/event-store';
import { PG_POOL } from '../../database/database.module';

const TAIL_INTERVAL_MS = 100;
const BATCH = 500;

type Listener = (event: RecordedEvent) => void;

/**
 * Fans the global feed out to per-job subscribers (Server-Sent Events). One tail loop per
 * coordinator, running only while someone is subscribed, so a thousand watchers cost one query
 * every 100 ms, not a thousand.
 */
@Injectable()
export class JobEventsHub implements OnApplicationShutdown {
  private readonly logger = new Logger('job-events');
  private readonly listeners = new Map<string, Set<Listener>>();
  private position: FeedPosition | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

  /** Calls `listener` with every event of `jobId`'s stream committed from now on; returns the unsubscribe. */
  async subscribe(jobId: string, listener: Listener): Promise<() => void> {
    if (this.position === null) {
      this.position = await this.store.feedTail(this.pool);
    }
    const streamId = `job-${jobId}`;
    const set = this.listeners.get(streamId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(streamId, set);
    this.schedule();
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(streamId);
      }
    };
  }

  onApplicationShutdown(): void {
    this.listeners.clear();
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.running || this.listeners.size === 0) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, TAIL_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const events = await this.store.readFeed(this.pool, this.position!, BATCH);
        for (const event of events) {
          this.listeners.get(event.streamId)?.forEach((listener) => listener(event));
        }
        if (events.length > 0) {
          this.position = events[events.length - 1];
        }
        if (events.length < BATCH) {
          break;
        }
      }
    } catch (error) {
      this.logger.warn(`reading the feed failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
      if (this.listeners.size === 0) {
        // nobody is listening: start from the tail again next time instead of replaying the gap
        this.position = null;
      }
      this.schedule();
    }
  }
}
