import { createPostgresBackend, createRedisBackend, setDefaultBackendFactory } from 'bullmq';
import type { CoordinatorConfig } from '../config';

/** Schema of BullMQ's own tables when it runs on PostgreSQL. */
export const BULLMQ_PG_SCHEMA = 'bullmq';

export type QueueBackendKind = 'redis' | 'postgres';

export function queueBackendKind(config: CoordinatorConfig): QueueBackendKind {
  return config.redisUrl ? 'redis' : 'postgres';
}

/**
 * BullMQ's connection for this config: Redis when `REDIS_URL` is set, otherwise BullMQ's PostgreSQL
 * backend in the main database (schema `bullmq`), so a first run needs no Redis. The backend choice
 * is process-wide in BullMQ, so it is made here, once, before any queue exists.
 */
export function queueConnection(config: CoordinatorConfig): Record<string, unknown> {
  if (config.redisUrl) {
    setDefaultBackendFactory(createRedisBackend);
    return redisOptions(config.redisUrl);
  }
  setDefaultBackendFactory(createPostgresBackend);
  // each queue and worker opens its own pool: keep them small, the work is light
  return { connectionString: config.database.url, schema: BULLMQ_PG_SCHEMA, max: 2, migrate: true };
}

function redisOptions(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers need blocking commands that never time out on their own
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  };
}
