import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { CoordinatorUnderTest, bootCoordinator } from '../support/coordinator';
import { freePort } from '../support/processes';

/**
 * The zero-setup start: no DATABASE_URL, no REDIS_URL, no keys. The coordinator must bring up its
 * own PostgreSQL, run BullMQ on it, generate dev keys, and be ready.
 */
describe('zero-setup start (embedded PostgreSQL, BullMQ on PostgreSQL)', () => {
  let dataDir: string;
  let coordinator: CoordinatorUnderTest | undefined;
  let pgPort: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'aitbc-embedded-'));
    pgPort = await freePort();
    // deliberately not process.env: nothing configured but where to keep data and which ports
    coordinator = await bootCoordinator({
      AITBC_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
  }, 180_000);

  afterAll(async () => {
    await coordinator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves /v1/health and is ready, with the queue on PostgreSQL', async () => {
    const http = request(coordinator!.url);
    await http
      .get('/v1/health')
      .expect(200, { status: 'ok', env: 'development', version: coordinator!.config.version });
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details).toEqual({
      database: { status: 'up', responseTime: expect.any(Number) },
      queue: { status: 'up', backend: 'postgres', responseTime: expect.any(Number) },
    });
    await http.get('/docs').expect(200);
  });

  it('runs a real PostgreSQL holding the migrated event store and the BullMQ schema', async () => {
    expect(coordinator!.embedded?.owned).toBe(true);
    const client = new pg.Client({ connectionString: coordinator!.embedded!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name LIKE 'es\\_%' ORDER BY table_name`,
      );
      expect(rows.map((r) => r.table_name)).toEqual(['es_checkpoints', 'es_events', 'es_streams']);
      const bull = await client.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'bullmq'`,
      );
      expect(bull.rows[0].n).toBeGreaterThan(0);
      expect((await client.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe('127.0.0.1');
    } finally {
      await client.end();
    }
  });

  it('generated dev keys, kept them in the data folder (mode 600) and configured them', async () => {
    const keys = coordinator!.devKeys!;
    expect(keys.client).toMatch(/^ck_[0-9a-f]{48}$/);
    const saved = JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8'));
    expect(saved).toEqual(keys);
    expect((await stat(join(dataDir, 'dev-keys.json'))).mode & 0o777).toBe(0o600);
    expect(coordinator!.config.apiKeys.map((k) => [k.id, k.role])).toEqual([
      ['dev-client', 'client'],
      ['dev-miner', 'miner'],
      ['dev-admin', 'admin'],
    ]);
    expect(JSON.stringify(coordinator!.logs())).not.toContain(keys.client);
  });
});
