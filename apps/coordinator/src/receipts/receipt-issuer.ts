import { Injectable } from '@nestjs/common';
import type { Queryable } from '@aitbc/event-store';
import { buildReceiptBody, priceReceipt, receiptIdFor, signReceipt, type SignedReceipt } from './receipt';
import { ReceiptKeysService } from './receipt-keys.service';
import { orderReceipt } from './receipts.repository';

/** A completed attempt of a job, as the jobs module knows it when the miner's result is accepted. */
export interface IssueReceiptInput {
  jobId: string;
  /** the attempt that completed (JobAssigned's `attempt`): one receipt per attempt */
  attempt: number;
  clientId: string;
  /** the miner that held the lease: the receipt's `provider` */
  minerId: string;
  /** when the coordinator assigned this attempt: `started_at` and the start of the lease time */
  assignedAt: Date;
  /** when the coordinator accepted the result: `completed_at` and the end of the lease time */
  completedAt: Date;
  /** GPU time the miner reports, in ms (null: none reported, the lease time is billed) */
  measuredMs: number | null;
  /** the miner's advertised price per GPU-second, micro-AITBC */
  unitPriceMicro: number;
  /** the job's escrow in micro-AITBC, caps the price; null when the job holds none */
  escrowMicro: number | null;
  /** sha256 hex of the payload's canonical JSON (`contentHash(payload)`) */
  payloadHash: string;
  /** sha256 hex of the result's canonical JSON, as recorded on JobCompleted */
  resultHash: string;
  model?: string | null;
  /**
   * Settles the payment for the computed price (in the same transaction) and returns its ledger
   * transaction hash, which the receipt then carries: nothing is added to a receipt after signing.
   */
  settle?: (priceMicro: number) => Promise<string | null>;
}

/**
 * Builds, prices, signs and stores the receipt of a completed attempt inside the caller's
 * transaction, so a receipt exists exactly when the completion commits. Idempotent per
 * (job, attempt): a replayed or concurrent completion gets the receipt already stored.
 */
@Injectable()
export class ReceiptIssuer {
  constructor(private readonly keys: ReceiptKeysService) {}

  async issue(tx: Queryable, input: IssueReceiptInput): Promise<SignedReceipt> {
    const stored = await this.stored(tx, input);
    if (stored) {
      return stored;
    }
    const price = priceReceipt({
      measuredMs: input.measuredMs,
      leaseMs: Math.max(0, input.completedAt.getTime() - input.assignedAt.getTime()),
      unitPriceMicro: input.unitPriceMicro,
      escrowMicro: input.escrowMicro,
    });
    const txHash = input.settle ? await input.settle(price.priceMicro) : null;
    const body = buildReceiptBody({
      ...input,
      receiptId: receiptIdFor(input.jobId, input.attempt),
      status: 'completed',
      price,
      txHash,
    });
    const receipt = signReceipt(body, this.keys.signingKey(), this.keys.attestationKey());
    const { rowCount } = await tx.query(
      `INSERT INTO receipts (receipt_id, job_id, attempt, client_id, provider, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [receipt.receipt_id, input.jobId, input.attempt, input.clientId, input.minerId, receipt, input.completedAt],
    );
    if (rowCount === 1) {
      return receipt;
    }
    // another transaction issued the same completion and committed first: its receipt is the one
    const winner = await this.stored(tx, input);
    if (!winner) {
      throw new Error(`receipt ${receipt.receipt_id} conflicts with a stored receipt of another job`);
    }
    return winner;
  }

  private async stored(tx: Queryable, { jobId, attempt }: IssueReceiptInput): Promise<SignedReceipt | null> {
    const { rows } = await tx.query<{ body: SignedReceipt }>(
      'SELECT body FROM receipts WHERE job_id = $1 AND attempt = $2',
      [jobId, attempt],
    );
    return rows.length === 0 ? null : orderReceipt(rows[0].body);
  }
}
