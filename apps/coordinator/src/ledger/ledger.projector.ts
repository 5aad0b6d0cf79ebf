import type { Queryable } from '@aitbc/event-store';
import type { DatabaseError } from 'pg';
import { InsufficientBalanceError } from './ledger.errors';
import type { LedgerTx, NewLedgerEvent } from './ledger.events';

/**
 * Inline projection of ledger events, in the appending transaction: the transaction log, the
 * balances (their CHECK refuses any overdraft), each job's escrow and the job view's payment columns.
 */
export async function projectLedgerEvents(tx: Queryable, events: readonly NewLedgerEvent[]): Promise<void> {
  for (const event of events) {
    await recordTransaction(tx, event.data.tx);
    switch (event.type) {
      case 'FundsDeposited':
        break;
      case 'EscrowHeld': {
        const { job_id, client_id, amount_micro, tx: hold } = event.data;
        await tx.query(
          `INSERT INTO ledger_escrows (job_id, client_id, amount_micro, status, hold_tx_hash, updated_at)
           VALUES ($1, $2, $3, 'held', $4, $5)`,
          [job_id, client_id, amount_micro, hold.tx_hash, hold.created_at],
        );
        await updateJobView(tx, job_id, hold.tx_hash, 'held');
        break;
      }
      case 'EscrowCaptured': {
        const { job_id, miner_id, captured_micro, refunded_micro, tx: capture } = event.data;
        await tx.query(
          `UPDATE ledger_escrows SET status = 'captured', miner_id = $2, captured_micro = $3, refunded_micro = $4,
             settlement_tx_hash = $5, updated_at = $6 WHERE job_id = $1`,
          [job_id, miner_id, captured_micro, refunded_micro, capture.tx_hash, capture.created_at],
        );
        await updateJobView(tx, job_id, null, 'captured');
        break;
      }
      case 'EscrowRefunded': {
        const { job_id, refunded_micro, tx: refund } = event.data;
        await tx.query(
          `UPDATE ledger_escrows SET status = 'refunded', refunded_micro = $2, settlement_tx_hash = $3, updated_at = $4
           WHERE job_id = $1`,
          [job_id, refunded_micro, refund.tx_hash, refund.created_at],
        );
        await updateJobView(tx, job_id, null, 'refunded');
        break;
      }
    }
  }
}

async function recordTransaction(tx: Queryable, ledgerTx: LedgerTx): Promise<void> {
  const { tx_hash, ...body } = ledgerTx;
  await tx.query(
    `INSERT INTO ledger_transactions (tx_hash, kind, job_id, body, entries, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [tx_hash, body.kind, body.job_id, JSON.stringify(body), JSON.stringify(body.entries), body.created_at],
  );
  // one account at a time in a fixed order, so two settlements sharing accounts cannot deadlock
  const entries = [...body.entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  for (const { account, delta_micro } of entries) {
    await applyEntry(tx, account, delta_micro, body.created_at);
  }
}

async function applyEntry(tx: Queryable, account: string, delta: number, at: string): Promise<void> {
  try {
    if (delta > 0) {
      await tx.query(
        `INSERT INTO ledger_accounts (account_id, balance_micro, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET balance_micro = ledger_accounts.balance_micro + EXCLUDED.balance_micro,
           updated_at = EXCLUDED.updated_at`,
        [account, delta, at],
      );
      return;
    }
    const { rowCount } = await tx.query(
      'UPDATE ledger_accounts SET balance_micro = balance_micro + $2, updated_at = $3 WHERE account_id = $1',
      [account, delta, at],
    );
    if (rowCount === 0) {
      throw new InsufficientBalanceError();
    }
  } catch (error) {
    // a hold that raced another one past the balance check: the CHECK is the last word
    if ((error as DatabaseError).code === '23514') {
      throw new InsufficientBalanceError();
    }
    throw error;
  }
}

async function updateJobView(tx: Queryable, jobId: string, paymentId: string | null, status: string): Promise<void> {
  await tx.query('UPDATE job_views SET payment_id = coalesce($2, payment_id), payment_status = $3 WHERE job_id = $1', [
    jobId,
    paymentId,
    status,
  ]);
}
