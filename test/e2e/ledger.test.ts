import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Api, BOB_KEY } from '../support/api';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { createTestPool, clearDispatch } from '../support/test-database';

describe('ledger routes', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let pool: pg.Pool;

  beforeAll(async () => {
    coordinator = await bootCoordinator(testEnv({ CLIENT_API_KEYS: `alice:${TEST_KEYS.client},bob:${BOB_KEY}` }));
    api = new Api(coordinator.url);
    pool = createTestPool(2);
    await pool.query(`DELETE FROM ledger_accounts WHERE account_id IN ('client:alice', 'client:bob', 'miner:rig-1')`);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
    await pool?.end();
  });

  const deposit = (accountId: string, body: Record<string, unknown>, key = TEST_KEYS.admin) =>
    api.http
      .post(`/v1/admin/accounts/${encodeURIComponent(accountId)}/deposit`)
      .set('X-Api-Key', key)
      .send(body);
  const account = (accountId: string, key: string) =>
    api.http.get(`/v1/ledger/accounts/${encodeURIComponent(accountId)}`).set('X-Api-Key', key);
  const payment = (jobId: string, key = TEST_KEYS.client) =>
    api.http.get(`/v1/jobs/${jobId}/payment`).set('X-Api-Key', key);

  it('an admin deposits into a client account and gets the account view', async () => {
    await deposit('client:alice', { amount: '10.5' }).expect(200, {
      account_id: 'client:alice',
      balance: '10.5',
      held: '0',
    });
    await deposit('client:alice', { amount: '0.25' }).expect(200, {
      account_id: 'client:alice',
      balance: '10.75',
      held: '0',
    });
    await deposit('miner:rig-1', { amount: '1' }).expect(200, { account_id: 'miner:rig-1', balance: '1' });
  });

  it('refuses deposits of nothing, of non-amounts, into escrow, and from non-admins', async () => {
    for (const amount of ['0', '-1', '1.1234567', 10, 'ten']) {
      expect((await deposit('client:alice', { amount }).expect(422)).body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await deposit('client:alice', { amount: '1', extra: 1 }).expect(422)).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await deposit('escrow:abc', { amount: '1' }).expect(404)).body.error.code).toBe('ACCOUNT_NOT_FOUND');
    await deposit('client:alice', { amount: '1' }, TEST_KEYS.client).expect(403);
  });

  it('shows an account to its owner and to admins only', async () => {
    await account('client:alice', TEST_KEYS.client).expect(200, {
      account_id: 'client:alice',
      balance: '10.75',
      held: '0',
    });
    await account('client:alice', TEST_KEYS.admin).expect(200, {
      account_id: 'client:alice',
      balance: '10.75',
      held: '0',
    });
    await account('miner:rig-1', TEST_KEYS.miner).expect(200, { account_id: 'miner:rig-1', balance: '1' });
    // an owner's empty account reads as zero; someone else's is indistinguishable from a missing one
    await account('client:bob', BOB_KEY).expect(200, { account_id: 'client:bob', balance: '0', held: '0' });
    const denied = await account('client:alice', BOB_KEY).expect(404);
    expect(denied.body).toEqual({
      detail: 'account not found',
      error: { code: 'ACCOUNT_NOT_FOUND', status: 404, details: [] },
      request_id: expect.any(String),
    });
    await account('client:alice', TEST_KEYS.miner).expect(404);
    await account('client:nobody', TEST_KEYS.admin).expect(404);
    await account('client:alice', 'wrong-key').expect(401);
  });

  it('holds a job’s payment at submit, captures the receipt’s price at completion, refunds the rest', async () => {
    await clearDispatch(pool);
    const miner = `payee-${randomBytes(3).toString('hex')}`;
    await api.register(miner);
    const before = Number((await account('client:alice', TEST_KEYS.client).expect(200)).body.balance);
    const jobId = await api.submitOk({ payload: { prompt: 'pay me' }, payment_amount: '0.5' });
    const held = await payment(jobId).expect(200);
    expect(held.body).toEqual({
      job_id: jobId,
      payment_id: expect.stringMatching(/^[0-9a-f]{64}$/),
      amount: '0.5',
      currency: 'AITBC',
      status: 'held',
      captured: '0',
      refunded: '0',
      hold_tx_hash: held.body.payment_id,
      settlement_tx_hash: null,
    });
    expect((await api.job(jobId).expect(200)).body).toMatchObject({
      payment_id: held.body.payment_id,
      payment_status: 'held',
    });
    const during = (await account('client:alice', TEST_KEYS.client).expect(200)).body;
    expect([Number(during.balance), during.held]).toEqual([before - 0.5, '0.5']);

    expect((await api.poll(miner).expect(200)).body.job_id).toBe(jobId);
    const { receipt } = (await api.result(miner, jobId).expect(200)).body;
    const settled = (await payment(jobId).expect(200)).body;
    expect(settled).toMatchObject({
      status: 'captured',
      captured: receipt.price,
      settlement_tx_hash: expect.any(String),
    });
    // the signed receipt names the ledger transaction that paid for it
    expect(receipt.tx_hash).toBe(settled.settlement_tx_hash);
    expect((await api.http.post('/v1/receipts/verify').send(receipt).expect(200)).body.valid).toBe(true);
    const price = Number(receipt.price);
    expect(Number(settled.refunded)).toBeCloseTo(0.5 - price, 6);
    const after = (await account('client:alice', TEST_KEYS.client).expect(200)).body;
    expect(Number(after.balance)).toBeCloseTo(before - price, 6);
    expect(after.held).toBe('0');
    const earned = (await account(`miner:rig-1/${miner}`, TEST_KEYS.admin).expect(200)).body;
    expect(earned.balance).toBe(receipt.price);
    // a replayed result settles nothing twice
    await api.result(miner, jobId).expect(200);
    expect((await payment(jobId).expect(200)).body).toEqual(settled);
  });

  it('answers 402 when the payment exceeds the balance, and refunds a canceled job in full', async () => {
    const balance = (await account('client:alice', TEST_KEYS.client).expect(200)).body.balance as string;
    const tooMuch = await api.submit({ payload: {}, payment_amount: '1000' }).expect(402);
    expect(tooMuch.body).toEqual({
      detail: 'payment_amount exceeds the balance',
      error: { code: 'PAYMENT_REQUIRED', status: 402, details: [] },
      request_id: expect.any(String),
    });
    expect((await account('client:alice', TEST_KEYS.client).expect(200)).body.balance).toBe(balance);

    const jobId = await api.submitOk({ payload: {}, payment_amount: '0.3' });
    await api.http.post(`/v1/jobs/${jobId}/cancel`).set('X-Api-Key', TEST_KEYS.client).expect(200);
    expect((await payment(jobId).expect(200)).body).toMatchObject({
      status: 'refunded',
      refunded: '0.3',
      captured: '0',
    });
    expect((await account('client:alice', TEST_KEYS.client).expect(200)).body).toMatchObject({ balance, held: '0' });
  });

  it('shows a job without payment as none, and hides other clients’ payments', async () => {
    const unpaid = await api.submitOk({ payload: { prompt: 'free' } });
    await payment(unpaid).expect(200, {
      job_id: unpaid,
      payment_id: null,
      amount: '0',
      currency: 'AITBC',
      status: 'none',
      captured: '0',
      refunded: '0',
      hold_tx_hash: null,
      settlement_tx_hash: null,
    });
    expect((await payment(unpaid, BOB_KEY).expect(404)).body.error.code).toBe('JOB_NOT_FOUND');
    await payment(randomBytes(16).toString('hex')).expect(404);
  });
});
