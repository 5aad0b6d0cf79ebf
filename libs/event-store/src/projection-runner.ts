import type { Pool, PoolClient } from 'pg';
import { EventStore } from './event-store';
import { FEED_START, FeedPosition, Queryable, RecordedEvent } from './types';

/**
 * An async read model fed from the global feed. `handle` and `reset` run inside the runner's
 * transaction, which also moves the checkpoint: a batch's effects commit exactly once or not at all.
 */
export interface Projection {
  /** the consumer id: permanent, it names the checkpoint */
  readonly name: string;
  /** event types to receive; omit for all. Others still advance the checkpoint. */
  readonly handles?: readonly string[];
  handle(tx: Queryable, events: readonly RecordedEvent[]): Promise<void>;
  /** empties the read model, for a rebuild from zero */
  reset(tx: Queryable): Promise<void>;
}

export interface ProjectionRunnerOptions {
  batchSize?: number;
  /** how long an idle runner waits before it looks at the feed again */
  idleDelayMs?: number;
  /** how often a standby runner tries to become the active one */
  lockRetryMs?: number;
  /** longest back-off after a failing batch */
  maxBackoffMs?: number;
  logger?: { log(message: string): void; error(message: string, trace?: string): void };
}

/** Advisory-lock class for projection consumers: (class, hashtext(consumer)) identifies the lock. */
const LOCK_CLASS = 0x45_53_43_4e; // "ESCN"

/**
 * Runs one projection: at most one active instance per consumer across all processes (a session
 * advisory lock held on a dedicated connection; it dies with the connection), the others wait as
 * standbys. Each batch: lock the checkpoint row, read the feed after it, apply, move it, commit.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly idleDelayMs: number;
  private readonly lockRetryMs: number;
  private readonly maxBackoffMs: number;
  private readonly handles: ReadonlySet<string> | null;
  private client: PoolClient | null = null;
  private active = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private processedEvents = 0;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleDelayMs = options.idleDelayMs ?? 200;
    this.lockRetryMs = options.lockRetryMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.handles = projection.handles ? new Set(projection.handles) : null;
  }

  get name(): string {
    return this.projection.name;
  }

  /** true while this instance holds the consumer's lock */
  get isActive(): boolean {
    return this.active;
  }

  /** events this instance has applied since it started */
  get processed(): number {
    return this.processedEvents;
  }

  start(): void {
    if (this.loop) {
      return;
    }
    this.stopping = false;
    this.loop = this.run();
  }

  /** Wakes an idle runner now (e.g. right after a local append). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
    this.loop = null;
    // a runner driven only through runOnce() has no loop to release its connection
    await this.releaseClient(false);
  }

  /**
   * Applies one batch if this instance is (or can become) the active one. Returns the number of
   * feed events consumed, 0 when caught up or not active. The background loop is built on it;
   * tests and tools may call it directly.
   */
  async runOnce(): Promise<number> {
    if (!(await this.acquire())) {
      return 0;
    }
    return this.processBatch(this.client!);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!(await this.acquire())) {
          await this.idle(this.lockRetryMs);
          continue;
        }
        const consumed = await this.processBatch(this.client!);
        failures = 0;
        if (consumed < this.batchSize) {
          await this.idle(this.idleDelayMs);
        }
      } catch (error) {
        failures++;
        const err = error as Error;
        this.options.logger?.error(
          `projection ${this.name}: batch failed (attempt ${failures}): ${err.message}`,
          err.stack,
        );
        await this.releaseClient(true);
        await this.idle(Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(failures, 16)));
      }
    }
    await this.releaseClient(false);
  }

  private async acquire(): Promise<boolean> {
    if (this.active && this.client) {
      return true;
    }
    if (!this.client) {
      this.client = await this.pool.connect();
      // The server may drop this long-held connection between batches (restart, failover); an
      // unheard 'error' event would crash the process. The next query fails and the loop reconnects.
      this.client.on('error', this.onConnectionError);
    }
    const { rows } = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked',
      [LOCK_CLASS, this.name],
    );
    if (!rows[0].locked) {
      await this.releaseClient(false);
      return false;
    }
    this.active = true;
    await this.client.query('INSERT INTO es_checkpoints (consumer_id) VALUES ($1) ON CONFLICT DO NOTHING', [this.name]);
    this.options.logger?.log(`projection ${this.name}: active`);
    return true;
  }

  private async processBatch(client: PoolClient): Promise<number> {
    // Cheap look first (one round trip, no transaction) so an idle runner costs almost nothing.
    const peek = await readCheckpoint(client, this.name, false);
    const probe = await this.store.readFeed(client, peek, 1);
    if (probe.length === 0) {
      return 0;
    }
    await client.query('BEGIN');
    try {
      // The row lock serialises this batch with a concurrent rebuild.
      const from = await readCheckpoint(client, this.name, true);
      const events = await this.store.readFeed(client, from, this.batchSize);
      if (events.length === 0) {
        await client.query('ROLLBACK');
        return 0;
      }
      await this.apply(client, events);
      await writeCheckpoint(client, this.name, events[events.length - 1]);
      await client.query('COMMIT');
      this.processedEvents += events.length;
      return events.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async apply(tx: Queryable, events: readonly RecordedEvent[]): Promise<void> {
    const relevant = this.handles ? events.filter((event) => this.handles!.has(event.type)) : events;
    if (relevant.length > 0) {
      await this.projection.handle(tx, relevant);
    }
  }

  private async idle(ms: number): Promise<void> {
    if (this.stopping) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
  }

  private readonly onConnectionError = (error: Error): void => {
    this.options.logger?.error(`projection ${this.name}: connection lost: ${error.message}`);
    this.poke();
  };

  private async releaseClient(broken: boolean): Promise<void> {
    const client = this.client;
    this.client = null;
    if (this.active) {
      this.options.logger?.log(`projection ${this.name}: standing down`);
    }
    this.active = false;
    if (!client) {
      return;
    }
    if (!broken) {
      try {
        await client.query('SELECT pg_advisory_unlock_all()');
      } catch {
        broken = true;
      }
    }
    // A broken connection is destroyed, which also drops any lock it held.
    client.release(broken ? true : undefined);
    client.removeListener('error', this.onConnectionError);
  }
}

/**
 * Rebuilds a projection from the start of the feed in one transaction: readers see the old read
 * model until the new one commits. Safe to run from any process while a live runner is active: it
 * holds the checkpoint row, so the live runner's batch waits and then continues after it.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  batchSize = 1000,
): Promise<{ events: number }> {
  const handles = projection.handles ? new Set(projection.handles) : null;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO es_checkpoints (consumer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
      projection.name,
    ]);
    await readCheckpoint(client, projection.name, true);
    await projection.reset(client);
    let position: FeedPosition = FEED_START;
    let total = 0;
    for (;;) {
      const events = await store.readFeed(client, position, batchSize);
      if (events.length > 0) {
        const relevant = handles ? events.filter((event) => handles.has(event.type)) : events;
        if (relevant.length > 0) {
          await projection.handle(client, relevant);
        }
        position = events[events.length - 1];
        total += events.length;
      }
      if (events.length < batchSize) {
        break;
      }
    }
    await writeCheckpoint(client, projection.name, position);
    await client.query('COMMIT');
    return { events: total };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function readCheckpoint(db: Queryable, consumer: string, lock: boolean): Promise<FeedPosition> {
  const { rows } = await db.query<{ transaction_id: string; global_position: string }>(
    `SELECT transaction_id::text AS transaction_id, global_position FROM es_checkpoints WHERE consumer_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [consumer],
  );
  if (rows.length === 0) {
    return FEED_START;
  }
  return { transactionId: rows[0].transaction_id, globalPosition: Number(rows[0].global_position) };
}

async function writeCheckpoint(db: Queryable, consumer: string, position: FeedPosition): Promise<void> {
  await db.query(
    `INSERT INTO es_checkpoints (consumer_id, transaction_id, global_position, updated_at) VALUES ($1, $2::xid8, $3, now())
     ON CONFLICT (consumer_id) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
       global_position = EXCLUDED.global_position, updated_at = now()`,
    [consumer, position.transactionId, position.globalPosition],
  );
}
