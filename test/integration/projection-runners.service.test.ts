import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ANY_VERSION, EventRegistry, EventStore, Projection, Queryable, RecordedEvent } from '@aitbc/event-store';
import { loadConfig } from '../../apps/coordinator/src/config';
import { ProjectionRunnersService } from '../../apps/coordinator/src/projections/projection-runners.service';
import { createTestPool, testDatabaseUrl } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const store = new EventStore(new EventRegistry([{ type: 'Seen' }]));

function seenProjection(prefix: string, seen: string[]): Projection {
  return {
    name: `seen-${prefix}`,
    handles: ['Seen'],
    handle(_tx: Queryable, events: readonly RecordedEvent[]) {
      seen.push(...events.filter((e) => e.streamId.startsWith(prefix)).map((e) => e.streamId));
      return Promise.resolve();
    },
    reset: () => Promise.resolve(),
  };
}

describe('ProjectionRunnersService and COORDINATOR_ROLE', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createTestPool(6);
  });
  afterAll(async () => {
    await pool.end();
  });

  it.each([
    ['worker', true],
    ['all', true],
    ['api', false],
  ] as const)('role %s runs async projections: %s', async (role, runs) => {
    const prefix = `role-${role}-${randomUUID().slice(0, 8)}-`;
    const seen: string[] = [];
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), COORDINATOR_ROLE: role });
    const service = new ProjectionRunnersService(config, pool, store, [seenProjection(prefix, seen)]);
    service.onApplicationBootstrap();
    try {
      await store.append(pool, `${prefix}1`, [{ type: 'Seen', data: {} }], { expectedVersion: ANY_VERSION });
      service.poke();
      if (runs) {
        await waitFor(() => seen.length === 1, { message: 'the projection to see the event' });
        expect(seen).toEqual([`${prefix}1`]);
      } else {
        // an api-only coordinator has no runner; its checkpoint row is never even created
        const { rowCount } = await pool.query('SELECT 1 FROM es_checkpoints WHERE consumer_id = $1', [
          `seen-${prefix}`,
        ]);
        expect(rowCount).toBe(0);
        expect(seen).toEqual([]);
      }
    } finally {
      await service.onApplicationShutdown();
    }
  });

  it('refuses a projection listed twice', () => {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl() });
    const twice = seenProjection('dup-', []);
    const service = new ProjectionRunnersService(config, pool, store, [twice, twice]);
    expect(() => service.onApplicationBootstrap()).toThrow('projection "seen-dup-" is listed twice');
    return service.onApplicationShutdown();
  });
});
