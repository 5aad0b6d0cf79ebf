import type { PoolClient } from 'pg';
import type { JobState } from '../jobs/job';
import type { NewJobEvent } from '../jobs/job.events';
import { clientAccount, decideCapture, decideHold, decideRefund, type EscrowState } from './ledger';
import { executeEscrowIn } from './ledger-store';
import type { NewEscrowEvent } from './ledger.events';

/**
 * Settles a job's payment for the job events being appended, inside the same transaction:
 * `JobSubmitted` with a payment holds it (throws `InsufficientBalanceError`, 402, when the client's
 * balance is short, so the submit rolls back); `JobFailed`, `JobCanceled` and `JobExpired` refund
 * the whole hold. `JobCompleted` settles nothing here: the capture needs the receipt's price, see
 * `settleCompletion`. Each settlement happens at most once per job however often this is called.
 *
 * @returns the hashes of the ledger transactions these events settled by (already existing ones
 *   for a repeated call), in order
 */
export async function settleJobEvents(
  tx: PoolClient,
  jobId: string,
  events: readonly NewJobEvent[],
  _before: JobState,
): Promise<string[]> {
  const hashes: string[] = [];
  for (const event of events) {
    let hash: string | null = null;
    switch (event.type) {
      case 'JobSubmitted': {
        const { client_id, payment_amount_micro, requested_at } = event.data;
        if (payment_amount_micro !== null && payment_amount_micro > 0) {
          hash = await hold(tx, jobId, client_id, payment_amount_micro, new Date(requested_at));
        }
        break;
      }
      case 'JobFailed':
        hash = await refund(tx, jobId, new Date(event.data.failed_at));
        break;
      case 'JobCanceled':
        hash = await refund(tx, jobId, new Date(event.data.canceled_at));
        break;
      case 'JobExpired':
        hash = await refund(tx, jobId, new Date(event.data.expired_at));
        break;
      case 'JobAssigned':
      case 'JobStarted':
      case 'JobRequeued':
      case 'JobCompleted':
        break;
    }
    if (hash !== null) {
      hashes.push(hash);
    }
  }
  return hashes;
}

/**
 * Captures a completed job's payment: `priceMicro` (the receipt's price, capped by the hold) to
 * `miner:<minerId>`, the rest of the hold back to the client. At most once per job; a repeated call
 * returns the same hash. Nothing for a job without a payment, or whose hold was already refunded.
 *
 * @returns the capture's tx hash, or null when there was nothing to capture
 */
export function settleCompletion(
  tx: PoolClient,
  jobId: string,
  minerId: string,
  priceMicro: number,
  at: Date,
): Promise<string | null> {
  return executeEscrowIn(tx, jobId, (state) =>
    settled(state, decideCapture(state, minerId, priceMicro, at), 'captured'),
  );
}

async function hold(tx: PoolClient, jobId: string, clientId: string, amountMicro: number, at: Date) {
  return executeEscrowIn(tx, jobId, async (state) => {
    if (state.status !== 'none') {
      return { events: [], result: state.holdTxHash };
    }
    const { rows } = await tx.query<{ balance_micro: string }>(
      'SELECT balance_micro FROM ledger_accounts WHERE account_id = $1',
      [clientAccount(clientId)],
    );
    const balanceMicro = rows.length === 0 ? 0 : Number(rows[0].balance_micro);
    const events = decideHold(state, { jobId, clientId, amountMicro, balanceMicro, at });
    return { events, result: events.length > 0 ? events[0].data.tx.tx_hash : state.holdTxHash };
  });
}

function refund(tx: PoolClient, jobId: string, at: Date): Promise<string | null> {
  return executeEscrowIn(tx, jobId, (state) => settled(state, decideRefund(state, at), 'refunded'));
}

/** The hash of the settlement just decided, or of the one already made (if it was of this kind). */
function settled(state: EscrowState, events: NewEscrowEvent[], kind: 'captured' | 'refunded') {
  const hash = events.length > 0 ? events[0].data.tx.tx_hash : state.status === kind ? state.settlementTxHash : null;
  return { events, result: hash };
}
