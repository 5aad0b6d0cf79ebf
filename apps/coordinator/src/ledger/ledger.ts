import { createHash } from 'node:crypto';
import { canonicalize } from '@aitbc/crypto';
import { InsufficientBalanceError } from './ledger.errors';
import type {
  AccountEvent,
  EscrowEvent,
  LedgerEntry,
  LedgerTx,
  LedgerTxBody,
  LedgerTxKind,
  NewAccountEvent,
  NewEscrowEvent,
} from './ledger.events';

/*
 * Accounts: `client:<id>`, `miner:<id>`, `escrow:<job_id>` and `fees`. Escrow is one account per
 * job rather than one pooled account with holds beside it: the balance CHECK then guards each job's
 * hold on its own, so no settlement can ever pay out more than its own job put in.
 */
export const clientAccount = (clientId: string) => `client:${clientId}`;
export const minerAccount = (minerId: string) => `miner:${minerId}`;
export const escrowAccount = (jobId: string) => `escrow:${jobId}`;
export const FEES_ACCOUNT = 'fees';

/** Accounts money may be deposited into from outside: escrow only ever moves through holds. */
export const DEPOSIT_ACCOUNT = /^(client|miner):[^\s]{1,200}$/;
export const ACCOUNT_ID = /^((client|miner|escrow):[^\s]{1,200}|fees)$/;

/** sha256 hex of the RFC 8785 canonical JSON of the body. */
export function ledgerTx(body: LedgerTxBody): LedgerTx {
  return { ...body, tx_hash: createHash('sha256').update(canonicalize(body)).digest('hex') };
}

function tx(kind: LedgerTxKind, jobId: string | null, entries: LedgerEntry[], at: Date, ref: string): LedgerTx {
  // legs of zero move nothing and would only make equal transactions hash differently
  return ledgerTx({
    kind,
    job_id: jobId,
    entries: entries.filter((entry) => entry.delta_micro !== 0),
    created_at: at.toISOString(),
    ref,
  });
}

export interface AccountState {
  version: number;
}

export const initialAccountState = (): AccountState => ({ version: 0 });

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  return { version: event.streamPosition };
}

export function decideDeposit(
  state: AccountState,
  accountId: string,
  amountMicro: number,
  at: Date,
): NewAccountEvent[] {
  assertMicro(amountMicro, 1);
  const entries = [{ account: accountId, delta_micro: amountMicro }];
  return [
    {
      type: 'FundsDeposited',
      data: {
        account_id: accountId,
        amount_micro: amountMicro,
        tx: tx('deposit', null, entries, at, `account-${accountId}#${state.version + 1}`),
      },
    },
  ];
}

export type EscrowStatus = 'none' | 'held' | 'captured' | 'refunded';

/** A job's payment: held once, then captured or refunded once. */
export interface EscrowState {
  jobId: string;
  clientId: string;
  status: EscrowStatus;
  heldMicro: number;
  holdTxHash: string | null;
  settlementTxHash: string | null;
}

export const initialEscrowState = (): EscrowState => ({
  jobId: '',
  clientId: '',
  status: 'none',
  heldMicro: 0,
  holdTxHash: null,
  settlementTxHash: null,
});

export function evolveEscrow(state: EscrowState, event: EscrowEvent): EscrowState {
  switch (event.type) {
    case 'EscrowHeld':
      return {
        ...state,
        jobId: event.data.job_id,
        clientId: event.data.client_id,
        status: 'held',
        heldMicro: event.data.amount_micro,
        holdTxHash: event.data.tx.tx_hash,
      };
    case 'EscrowCaptured':
      return { ...state, status: 'captured', settlementTxHash: event.data.tx.tx_hash };
    case 'EscrowRefunded':
      return { ...state, status: 'refunded', settlementTxHash: event.data.tx.tx_hash };
  }
}

export interface HoldRequest {
  jobId: string;
  clientId: string;
  amountMicro: number;
  /** the client's balance now; the database CHECK still decides if another hold races this one */
  balanceMicro: number;
  at: Date;
}

/** A hold moves the payment from the client into the job's escrow; a second hold is a no-op. */
export function decideHold(state: EscrowState, request: HoldRequest): NewEscrowEvent[] {
  assertMicro(request.amountMicro, 1);
  if (state.status !== 'none') {
    return [];
  }
  if (request.amountMicro > request.balanceMicro) {
    throw new InsufficientBalanceError();
  }
  const { jobId, clientId, amountMicro, at } = request;
  const entries = [
    { account: clientAccount(clientId), delta_micro: -amountMicro },
    { account: escrowAccount(jobId), delta_micro: amountMicro },
  ];
  return [
    {
      type: 'EscrowHeld',
      data: {
        job_id: jobId,
        client_id: clientId,
        amount_micro: amountMicro,
        tx: tx('hold', jobId, entries, at, ref(jobId, 'hold')),
      },
    },
  ];
}

/** Capture pays the miner the receipt's price (never more than the hold) and refunds the rest, once. */
export function decideCapture(state: EscrowState, minerId: string, priceMicro: number, at: Date): NewEscrowEvent[] {
  assertMicro(priceMicro, 0);
  if (state.status !== 'held') {
    return [];
  }
  const captured = Math.min(priceMicro, state.heldMicro);
  const refunded = state.heldMicro - captured;
  const entries = [
    { account: escrowAccount(state.jobId), delta_micro: -state.heldMicro },
    { account: minerAccount(minerId), delta_micro: captured },
    { account: clientAccount(state.clientId), delta_micro: refunded },
  ];
  return [
    {
      type: 'EscrowCaptured',
      data: {
        job_id: state.jobId,
        miner_id: minerId,
        captured_micro: captured,
        refunded_micro: refunded,
        tx: tx('capture', state.jobId, entries, at, ref(state.jobId, 'capture')),
      },
    },
  ];
}

/** Failure, cancellation or expiry returns the whole hold to the client, once; after a capture, nothing. */
export function decideRefund(state: EscrowState, at: Date): NewEscrowEvent[] {
  if (state.status !== 'held') {
    return [];
  }
  const entries = [
    { account: escrowAccount(state.jobId), delta_micro: -state.heldMicro },
    { account: clientAccount(state.clientId), delta_micro: state.heldMicro },
  ];
  return [
    {
      type: 'EscrowRefunded',
      data: {
        job_id: state.jobId,
        refunded_micro: state.heldMicro,
        tx: tx('refund', state.jobId, entries, at, ref(state.jobId, 'refund')),
      },
    },
  ];
}

// a job has at most one hold and one release, so the kind alone makes the reference unique
const ref = (jobId: string, kind: LedgerTxKind) => `ledger-job-${jobId}#${kind}`;

function assertMicro(micro: number, min: number): void {
  if (!Number.isSafeInteger(micro) || micro < min) {
    throw new RangeError(`not an amount in micro-AITBC: ${micro}`);
  }
}
