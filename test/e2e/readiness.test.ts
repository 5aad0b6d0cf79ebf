import pg from 'pg';
import request from 'supertest';
import { bootCoordinator, testEnv } from '../support/coordinator';
import { testDatabaseUrl } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('/health/ready when a dependency is down', () => {
  it('is 503 with the queue named while Redis does not answer', async () => {
    const coordinator = await bootCoordinator(testEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const res = await request(coordinator.url).get('/health/ready').expect(503);
      expect(res.body).toEqual({
        detail: 'service not ready',
        error: {
          code: 'SERVICE_UNAVAILABLE',
          status: 503,
          details: [{ field: 'queue', message: expect.any(String), code: 'DOWN' }],
        },
        request_id: expect.any(String),
      });
      await request(coordinator.url).get('/health/live').expect(200);
    } finally {
      await coordinator.stop();
    }
  }, 60_000);

  it('is 503 with the database named while Postgres refuses connections, and 200 again after', async () => {
    const name = 'aitbc_test_readiness';
    const adminUrl = new URL(testDatabaseUrl());
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const dbUrl = new URL(testDatabaseUrl());
    dbUrl.pathname = `/${name}`;
    const coordinator = await bootCoordinator(testEnv({ DATABASE_URL: dbUrl.toString() }));
    try {
      const http = request(coordinator.url);
      await http.get('/health/ready').expect(200);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const down = await waitFor(
        async () => {
          const res = await http.get('/health/ready');
          return res.status === 503 ? res : null;
        },
        { message: 'readiness to report the database down' },
      );
      expect(down.body.error.details).toEqual([{ field: 'database', message: expect.any(String), code: 'DOWN' }]);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await waitFor(async () => (await http.get('/health/ready')).status === 200, { message: 'readiness to recover' });
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await coordinator.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 60_000);
});
