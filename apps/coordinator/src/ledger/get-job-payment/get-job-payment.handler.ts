import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { fromMicro, type PaymentStatus, type PaymentViewDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import { JobNotFoundError } from '../../jobs/job.errors';
import { GetJobPaymentQuery } from './get-job-payment.query';

interface PaymentRow {
  payment_amount_micro: string | null;
  amount_micro: string | null;
  status: Exclude<PaymentStatus, 'none'> | null;
  captured_micro: string | null;
  refunded_micro: string | null;
  hold_tx_hash: string | null;
  settlement_tx_hash: string | null;
}

/** A job's payment as the ledger settled it; a job without a hold reads as `none`. */
@QueryHandler(GetJobPaymentQuery)
export class GetJobPaymentHandler implements IQueryHandler<GetJobPaymentQuery, PaymentViewDto> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ jobId, clientId }: GetJobPaymentQuery): Promise<PaymentViewDto> {
    const { rows } = await this.pool.query<PaymentRow>(
      `SELECT v.payment_amount_micro, e.amount_micro, e.status, e.captured_micro, e.refunded_micro, e.hold_tx_hash,
              e.settlement_tx_hash
       FROM job_views v LEFT JOIN ledger_escrows e ON e.job_id = v.job_id
       WHERE v.job_id = $1 AND v.client_id = $2`,
      [jobId, clientId],
    );
    if (rows.length === 0) {
      throw new JobNotFoundError();
    }
    const row = rows[0];
    const micro = (value: string | null) => fromMicro(Number(value ?? 0));
    return {
      job_id: jobId,
      payment_id: row.hold_tx_hash,
      amount: micro(row.amount_micro ?? row.payment_amount_micro),
      currency: 'AITBC',
      status: row.status ?? 'none',
      captured: micro(row.captured_micro),
      refunded: micro(row.refunded_micro),
      hold_tx_hash: row.hold_tx_hash,
      settlement_tx_hash: row.settlement_tx_hash,
    };
  }
}
