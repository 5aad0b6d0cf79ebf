import type { Queryable } from '@aitbc/event-store';
import type { SignedReceipt } from './receipt';
import { ReceiptNotAvailableError } from './receipt.errors';

const HEX_ID = /^[0-9a-f]{32}$/;

// jsonb stores members in its own order; receipts read back in the order they were written
const FIELD_ORDER: readonly string[] = [
  'version',
  'receipt_id',
  'job_id',
  'provider',
  'client',
  'status',
  'units',
  'unit_type',
  'unit_price',
  'price',
  'started_at',
  'completed_at',
  'result_hash',
  'payload_hash',
  'model',
  'block_height',
  'tx_hash',
  'signature',
  'attestations',
];

/** A stored receipt with its members in the contract's order (the signed content is unchanged). */
export function orderReceipt(stored: SignedReceipt): SignedReceipt {
  const record = stored as unknown as Record<string, unknown>;
  const known = FIELD_ORDER.filter((field) => field in record).map((field) => [field, record[field]]);
  const rest = Object.entries(record).filter(([field]) => !FIELD_ORDER.includes(field));
  return Object.fromEntries([...known, ...rest]) as SignedReceipt;
}

/** One receipt, if it belongs to a job of `clientId`; otherwise not available (never "forbidden"). */
export async function readOwnReceipt(db: Queryable, receiptId: string, clientId: string): Promise<SignedReceipt> {
  if (!HEX_ID.test(receiptId)) {
    throw new ReceiptNotAvailableError();
  }
  const { rows } = await db.query<{ body: SignedReceipt }>(
    `SELECT r.body FROM receipts r JOIN job_views j ON j.job_id = r.job_id
     WHERE r.receipt_id = $1 AND j.client_id = $2`,
    [receiptId, clientId],
  );
  if (rows.length === 0) {
    throw new ReceiptNotAvailableError();
  }
  return orderReceipt(rows[0].body);
}

/** The receipts of a job of `clientId`, oldest first; not available if there are none or it is not theirs. */
export async function readOwnJobReceipts(db: Queryable, jobId: string, clientId: string): Promise<SignedReceipt[]> {
  if (!HEX_ID.test(jobId)) {
    throw new ReceiptNotAvailableError();
  }
  const { rows } = await db.query<{ body: SignedReceipt }>(
    `SELECT r.body FROM receipts r JOIN job_views j ON j.job_id = r.job_id
     WHERE r.job_id = $1 AND j.client_id = $2
     ORDER BY r.attempt, r.created_at, r.receipt_id`,
    [jobId, clientId],
  );
  if (rows.length === 0) {
    throw new ReceiptNotAvailableError();
  }
  return rows.map((row) => orderReceipt(row.body));
}
