import type { EventDefinition, StreamEvent } from '@aitbc/event-store';

export type LedgerTxKind = 'deposit' | 'hold' | 'capture' | 'refund';

/** One leg of a transaction; the legs of a transfer sum to zero, a deposit's single leg is new money. */
export interface LedgerEntry {
  account: string;
  delta_micro: number;
}

/** What a transaction's hash covers (RFC 8785 canonical JSON): the block sealer chains these. */
export interface LedgerTxBody {
  kind: LedgerTxKind;
  job_id: string | null;
  entries: LedgerEntry[];
  created_at: string;
  /** the event that made it (stream and position): two equal deposits still get two hashes */
  ref: string;
}

export interface LedgerTx extends LedgerTxBody {
  tx_hash: string;
}

export interface FundsDepositedData {
  account_id: string;
  amount_micro: number;
  tx: LedgerTx;
}

export interface EscrowHeldData {
  job_id: string;
  client_id: string;
  amount_micro: number;
  tx: LedgerTx;
}

export interface EscrowCapturedData {
  job_id: string;
  miner_id: string;
  /** the receipt's price, capped by the hold */
  captured_micro: number;
  /** the rest of the hold, back to the client */
  refunded_micro: number;
  tx: LedgerTx;
}

export interface EscrowRefundedData {
  job_id: string;
  refunded_micro: number;
  tx: LedgerTx;
}

export type AccountEvent = StreamEvent<'FundsDeposited', FundsDepositedData>;
export type EscrowEvent =
  | StreamEvent<'EscrowHeld', EscrowHeldData>
  | StreamEvent<'EscrowCaptured', EscrowCapturedData>
  | StreamEvent<'EscrowRefunded', EscrowRefundedData>;
export type LedgerEvent = AccountEvent | EscrowEvent;

type NewOf<E extends LedgerEvent> = { [X in E as X['type']]: { type: X['type']; data: X['data'] } }[E['type']];
export type NewAccountEvent = NewOf<AccountEvent>;
export type NewEscrowEvent = NewOf<EscrowEvent>;
export type NewLedgerEvent = NewAccountEvent | NewEscrowEvent;

export const LEDGER_EVENTS: readonly EventDefinition[] = [
  { type: 'FundsDeposited' },
  { type: 'EscrowHeld' },
  { type: 'EscrowCaptured' },
  { type: 'EscrowRefunded' },
];

export const accountStreamId = (accountId: string) => `account-${accountId}`;
export const escrowStreamId = (jobId: string) => `ledger-job-${jobId}`;
