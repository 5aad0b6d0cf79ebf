import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { capabilities } from '../support/api';
import { TEST_KEYS } from '../support/coordinator';
import { CoordinatorProcess, startCoordinatorProcess } from '../support/coordinator-process';
import { createTestPool, clearDispatch } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const JOBS = 60;
const MINERS = 12;
const CRASH_CLIENT_KEY = 'crash-client-key-0001';

/**
 * kill -9 a coordinator while miners stream results in, start another, let the miners retry what
 * got no answer: every completed job must be settled exactly once and carry one receipt.
 */
describe('crash while completions stream in', () => {
  let pool: pg.Pool;
  let coordinator: CoordinatorProcess | null = null;
  let url = '';
  const tag = randomBytes(3).toString('hex');

  beforeAll(() => {
    pool = createTestPool(4);
  });
  afterAll(async () => {
    await coordinator?.stop();
    await pool.end();
  });

  const miner = (i: number) => `crash-${tag}-${i}`;
  const asMiner = (i: number, req: request.Test) => req.set('X-Api-Key', TEST_KEYS.miner).set('X-Miner-ID', miner(i));

  /** One daemon: poll, then report until the report gets an answer (a retry may hit the next coordinator). */
  async function runMiner(i: number, stop: () => boolean): Promise<void> {
    let holding: string | null = null;
    while (!stop()) {
      try {
        if (holding === null) {
          const res = await asMiner(i, request(url).post('/v1/miners/poll').send({ max_wait_seconds: 1 }));
          if (res.status === 200) {
            holding = res.body.job_id as string;
          }
          continue;
        }
        const res = await asMiner(
          i,
          request(url)
            .post(`/v1/miners/${holding}/result`)
            .send({ result: { answer: holding }, metrics: { duration_ms: 5 } }),
        );
        if (res.status === 200 || res.status === 409) {
          holding = null;
        }
      } catch {
        // the coordinator died under us: try again against whichever one is up
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  it('settles every completed job exactly once after a kill -9 and a restart', async () => {
    await clearDispatch(pool);
    const client = `crash-${tag}`;
    // a client of its own, so the balances checked are this test's alone
    const env = { CLIENT_API_KEYS: `${client}:${CRASH_CLIENT_KEY}`, LEDGER_BLOCK_INTERVAL_MS: '200' };
    coordinator = await startCoordinatorProcess(env);
    url = coordinator.url;
    await request(url)
      .post(`/v1/admin/accounts/${encodeURIComponent(`client:${client}`)}/deposit`)
      .set('X-Api-Key', TEST_KEYS.admin)
      .send({ amount: '100' })
      .expect(200);
    for (let i = 0; i < MINERS; i++) {
      await asMiner(
        i,
        request(url).post('/v1/miners/register').send({ capabilities: capabilities(), concurrency: 1 }),
      ).expect(200);
    }
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const res = await request(url)
        .post('/v1/jobs')
        .set('X-Api-Key', CRASH_CLIENT_KEY)
        .send({ payload: { crash: tag, i }, payment_amount: '0.01' })
        .expect(201);
      jobIds.push(res.body.job_id as string);
    }
    const completed = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM job_views WHERE job_id = ANY($1) AND state = 'COMPLETED'`,
            [jobIds],
          )
        ).rows[0].n,
      );

    let done = false;
    const miners = Array.from({ length: MINERS }, (_, i) => runMiner(i, () => done));
    await waitFor(async () => (await completed()) >= JOBS / 3, {
      timeoutMs: 30_000,
      message: 'a third of the jobs to complete',
    });
    coordinator.kill();
    await coordinator.exited;
    coordinator = await startCoordinatorProcess(env);
    url = coordinator.url;
    await waitFor(async () => (await completed()) === JOBS, { timeoutMs: 60_000, message: 'every job to complete' });
    done = true;
    await Promise.all(miners);

    const { rows: receipts } = await pool.query<{ job_id: string; n: string; tx_hash: string }>(
      `SELECT job_id, count(*) AS n, min(body->>'tx_hash') AS tx_hash FROM receipts WHERE job_id = ANY($1) GROUP BY job_id`,
      [jobIds],
    );
    expect(receipts).toHaveLength(JOBS);
    expect(receipts.every((r) => r.n === '1' && /^[0-9a-f]{64}$/.test(r.tx_hash))).toBe(true);
    const { rows: txs } = await pool.query<{ job_id: string; kind: string; n: string }>(
      `SELECT job_id, kind, count(*) AS n FROM ledger_transactions WHERE job_id = ANY($1) GROUP BY job_id, kind`,
      [jobIds],
    );
    const byJob = new Map<string, Record<string, string>>();
    for (const row of txs) {
      byJob.set(row.job_id, { ...byJob.get(row.job_id), [row.kind]: row.n });
    }
    for (const jobId of jobIds) {
      expect([jobId, byJob.get(jobId)]).toEqual([jobId, { hold: '1', capture: '1' }]);
    }
    const { rows: captures } = await pool.query<{ tx_hash: string; job_id: string }>(
      `SELECT tx_hash, job_id FROM ledger_transactions WHERE job_id = ANY($1) AND kind = 'capture'`,
      [jobIds],
    );
    const captureOf = new Map(captures.map((c) => [c.job_id, c.tx_hash]));
    expect(receipts.every((r) => captureOf.get(r.job_id) === r.tx_hash)).toBe(true);
    // money is conserved among this test's accounts: the deposit is now split between the client and its miners
    const { rows: accounts } = await pool.query<{ account_id: string; balance_micro: string }>(
      `SELECT account_id, balance_micro FROM ledger_accounts
       WHERE account_id = $1 OR account_id LIKE $2 OR account_id = ANY($3)`,
      [`client:${client}`, `miner:rig-1/crash-${tag}-%`, jobIds.map((id) => `escrow:${id}`)],
    );
    expect(accounts.reduce((sum, a) => sum + Number(a.balance_micro), 0)).toBe(100_000_000);
    expect(accounts.every((a) => Number(a.balance_micro) >= 0)).toBe(true);
    expect(accounts.filter((a) => a.account_id.startsWith('escrow:')).every((a) => a.balance_micro === '0')).toBe(true);

    // every receipt's settlement ends up in a block, and the chain still verifies
    await waitFor(
      async () =>
        (
          await pool.query(`SELECT 1 FROM ledger_transactions WHERE job_id = ANY($1) AND block_height IS NULL`, [
            jobIds,
          ])
        ).rowCount === 0,
      { timeoutMs: 30_000, message: 'every settlement to be sealed into a block' },
    );
    const verified = await request(url).get('/v1/ledger/verify').expect(200);
    expect(verified.body).toMatchObject({ valid: true, first_bad_height: null });
  }, 120_000);
});
