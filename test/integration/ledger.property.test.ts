import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { Pool, PoolClient } from 'pg';
import { AppError, ErrorCode } from '@aitbc/contracts';
import { withTransaction } from '@aitbc/event-store';
import { initialJobState } from '../../apps/coordinator/src/jobs/job';
import type { NewJobEvent } from '../../apps/coordinator/src/jobs/job.events';
import { decideDeposit } from '../../apps/coordinator/src/ledger/ledger';
import { AccountCommands } from '../../apps/coordinator/src/ledger/ledger-store';
import { settleCompletion, settleJobEvents } from '../../apps/coordinator/src/ledger/settlement';
import { createTestPool } from '../support/test-database';
import { jobSubmittedData } from '../support/job-fixtures';

const AT = new Date('2026-01-24T10:15:13.000Z');
const JOBS = 12;
const OPS_PER_RUN = 500;
const RUNS = 22;

type Op =
  | { kind: 'deposit'; client: number; amount: number }
  | { kind: 'submit'; job: number; client: number; amount: number }
  | { kind: 'complete'; job: number; miner: number; price: number }
  | { kind: 'end'; job: number; how: 'JobFailed' | 'JobCanceled' | 'JobExpired' }
  | { kind: 'requeue'; job: number }
  | { kind: 'duplicate' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      client: fc.nat(2),
      amount: fc.integer({ min: 1, max: 3_000_000 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      job: fc.nat(JOBS - 1),
      client: fc.nat(2),
      amount: fc.integer({ min: 1, max: 2_000_000 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      job: fc.nat(JOBS - 1),
      miner: fc.nat(1),
      price: fc.integer({ min: 0, max: 3_000_000 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('end' as const),
      job: fc.nat(JOBS - 1),
      how: fc.constantFrom('JobFailed' as const, 'JobCanceled' as const, 'JobExpired' as const),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('requeue' as const), job: fc.nat(JOBS - 1) }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'duplicate' as const }), weight: 2 },
);

/** What the ledger must look like: the same rules, in memory. */
class Model {
  readonly balances = new Map<string, number>();
  deposited = 0;
  readonly jobs = new Map<string, { client: string; held: number; status: 'held' | 'captured' | 'refunded' }>();

  credit(account: string, delta: number) {
    this.balances.set(account, (this.balances.get(account) ?? 0) + delta);
  }
}

function submitted(jobId: string, clientId: string, amountMicro: number): NewJobEvent {
  return {
    type: 'JobSubmitted',
    data: jobSubmittedData({
      job_id: jobId,
      client_id: clientId,
      payment_amount_micro: amountMicro,
      requested_at: AT.toISOString(),
      expires_at: AT.toISOString(),
    }),
  };
}

function ended(how: 'JobFailed' | 'JobCanceled' | 'JobExpired'): NewJobEvent {
  const at = AT.toISOString();
  switch (how) {
    case 'JobFailed':
      return {
        type: how,
        data: { miner_id: null, attempt: 1, error: { code: 'E_RUNTIME', message: 'x' }, failed_at: at },
      };
    case 'JobCanceled':
      return { type: how, data: { by: 'client', miner_id: null, canceled_at: at } };
    case 'JobExpired':
      return { type: how, data: { expired_at: at } };
  }
}

describe('ledger settlement on real Postgres (property)', () => {
  let pool: Pool;
  let accounts: AccountCommands;
  let operations = 0;

  beforeAll(() => {
    pool = createTestPool(10);
    accounts = new AccountCommands(pool);
  });
  afterAll(async () => {
    await pool.end();
  });

  const deposit = (accountId: string, amountMicro: number) =>
    accounts.execute(accountId, (state) => ({
      events: decideDeposit(state, accountId, amountMicro, AT),
      result: null,
    }));

  const inTx = <T>(work: (tx: PoolClient) => Promise<T>) => withTransaction(pool, work);

  it(`conserves money, never overdraws, settles each hold exactly once (${RUNS} × ${OPS_PER_RUN} operations)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }), async (ops) => {
        const prefix = randomBytes(4).toString('hex');
        const client = (n: number) => `${prefix}-c${n}`;
        const miner = (n: number) => `${prefix}-m${n}`;
        const job = (n: number) => `${prefix}${n.toString(16).padStart(24, '0')}`;
        const model = new Model();
        let previous: Op | null = null;

        for (const drawn of ops) {
          const op: Op = drawn.kind === 'duplicate' ? (previous ?? drawn) : drawn;
          previous = op;
          operations++;
          switch (op.kind) {
            case 'duplicate':
              break;
            case 'deposit':
              await deposit(`client:${client(op.client)}`, op.amount);
              model.credit(`client:${client(op.client)}`, op.amount);
              model.deposited += op.amount;
              break;
            case 'submit': {
              const jobId = job(op.job);
              const known = model.jobs.get(jobId);
              const payer = known?.client ?? client(op.client);
              const event = submitted(jobId, payer, op.amount);
              const before = initialJobState();
              const balance = model.balances.get(`client:${payer}`) ?? 0;
              if (!known && op.amount > balance) {
                await expect(inTx((tx) => settleJobEvents(tx, jobId, [event], before))).rejects.toEqual(
                  new AppError(ErrorCode.PAYMENT_REQUIRED, 'payment_amount exceeds the balance'),
                );
                break;
              }
              const hashes = await inTx((tx) => settleJobEvents(tx, jobId, [event], before));
              expect(hashes).toHaveLength(1);
              if (!known) {
                model.jobs.set(jobId, { client: payer, held: op.amount, status: 'held' });
                model.credit(`client:${payer}`, -op.amount);
                model.credit(`escrow:${jobId}`, op.amount);
              }
              break;
            }
            case 'complete': {
              const jobId = job(op.job);
              const hash = await inTx((tx) => settleCompletion(tx, jobId, miner(op.miner), op.price, AT));
              const known = model.jobs.get(jobId);
              expect(hash === null).toBe(!known || known.status === 'refunded');
              if (known?.status === 'held') {
                const captured = Math.min(op.price, known.held);
                model.credit(`escrow:${jobId}`, -known.held);
                model.credit(`miner:${miner(op.miner)}`, captured);
                model.credit(`client:${known.client}`, known.held - captured);
                known.status = 'captured';
              }
              break;
            }
            case 'end': {
              const jobId = job(op.job);
              const known = model.jobs.get(jobId);
              const before = { ...initialJobState(), clientId: known?.client ?? '' };
              const hashes = await inTx((tx) => settleJobEvents(tx, jobId, [ended(op.how)], before));
              expect(hashes).toHaveLength(known && known.status !== 'captured' ? 1 : 0);
              if (known?.status === 'held') {
                model.credit(`escrow:${jobId}`, -known.held);
                model.credit(`client:${known.client}`, known.held);
                known.status = 'refunded';
              }
              break;
            }
            case 'requeue': {
              const jobId = job(op.job);
              const event: NewJobEvent = {
                type: 'JobRequeued',
                data: {
                  miner_id: miner(0),
                  attempt: 1,
                  error: { code: 'E_OOM', message: 'x' },
                  excluded_miner_id: null,
                  requeued_at: AT.toISOString(),
                  expires_at: AT.toISOString(),
                },
              };
              expect(await inTx((tx) => settleJobEvents(tx, jobId, [event], initialJobState()))).toEqual([]);
              break;
            }
          }
        }

        const { rows } = await pool.query<{ account_id: string; balance_micro: string }>(
          `SELECT account_id, balance_micro FROM ledger_accounts WHERE account_id LIKE '%' || $1 || '%'`,
          [prefix],
        );
        const balances = new Map(rows.map((row) => [row.account_id, Number(row.balance_micro)]));
        const total = [...balances.values()].reduce((sum, b) => sum + b, 0);
        expect(total).toBe(model.deposited);
        expect([...balances.values()].every((b) => b >= 0)).toBe(true);
        const nonZero = (map: Map<string, number>) => new Map([...map].filter(([, b]) => b !== 0));
        expect(nonZero(balances)).toEqual(nonZero(model.balances));

        const settled = await pool.query<{ job_id: string; holds: string; releases: string }>(
          `SELECT job_id, count(*) FILTER (WHERE kind = 'hold') AS holds,
                  count(*) FILTER (WHERE kind IN ('capture', 'refund')) AS releases
           FROM ledger_transactions WHERE job_id LIKE $1 || '%' GROUP BY job_id`,
          [prefix],
        );
        const counts = new Map(settled.rows.map((row) => [row.job_id, [Number(row.holds), Number(row.releases)]]));
        for (let n = 0; n < JOBS; n++) {
          const known = model.jobs.get(job(n));
          const expected = !known ? undefined : [1, known.status === 'held' ? 0 : 1];
          expect(counts.get(job(n))).toEqual(expected);
        }
      }),
      { numRuns: RUNS },
    );
    expect(operations).toBeGreaterThanOrEqual(RUNS * OPS_PER_RUN);
  }, 120_000);

  it('lets racing holds on one balance through only as far as the money goes (the CHECK decides)', async () => {
    const clientId = `race-${randomBytes(4).toString('hex')}`;
    await deposit(`client:${clientId}`, 3_000_000);
    const jobIds = Array.from({ length: 8 }, () => randomBytes(16).toString('hex'));
    const outcomes = await Promise.allSettled(
      jobIds.map((jobId) =>
        inTx((tx) => settleJobEvents(tx, jobId, [submitted(jobId, clientId, 1_000_000)], initialJobState())),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(refused.map((o) => o.reason as AppError).map((e) => e.code)).toEqual(
      Array(5).fill(ErrorCode.PAYMENT_REQUIRED),
    );
    const { rows } = await pool.query<{ balance_micro: string }>(
      'SELECT balance_micro FROM ledger_accounts WHERE account_id = $1',
      [`client:${clientId}`],
    );
    expect(rows).toEqual([{ balance_micro: '0' }]);
  });

  it('a refused hold leaves nothing behind: no event, no transaction, no escrow', async () => {
    const jobId = randomBytes(16).toString('hex');
    await expect(
      inTx((tx) => settleJobEvents(tx, jobId, [submitted(jobId, `poor-${jobId}`, 1)], initialJobState())),
    ).rejects.toMatchObject({ code: ErrorCode.PAYMENT_REQUIRED });
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM es_events WHERE stream_id = $1) AS events,
              (SELECT count(*) FROM ledger_transactions WHERE job_id = $2) AS txs,
              (SELECT count(*) FROM ledger_escrows WHERE job_id = $2) AS escrows`,
      [`ledger-job-${jobId}`, jobId],
    );
    expect(rows).toEqual([{ events: '0', txs: '0', escrows: '0' }]);
  });
});
