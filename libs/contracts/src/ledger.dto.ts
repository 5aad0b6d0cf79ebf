import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { DECIMAL_AMOUNT } from './money';

/** A decimal amount greater than zero ("0" and "0.000000" are refused). */
export const POSITIVE_DECIMAL_AMOUNT = new RegExp(`^(?!0(\\.0+)?$)${DECIMAL_AMOUNT.source.slice(1)}`);

export class DepositDto {
  /** AITBC to credit, a decimal string with at most 6 places */
  @ApiProperty({ example: '10.5' })
  @IsString()
  @Matches(POSITIVE_DECIMAL_AMOUNT, { message: 'amount must be a decimal string greater than 0, such as "10.5"' })
  amount!: string;
}

export class AccountViewDto {
  @ApiProperty({ example: 'client:alice' })
  account_id!: string;

  @ApiProperty({ example: '10.5', description: 'AITBC' })
  balance!: string;

  @ApiPropertyOptional({ example: '0.25', description: 'client accounts: AITBC held in escrow for running jobs' })
  held?: string;
}

export type PaymentStatus = 'none' | 'held' | 'captured' | 'refunded';

export class PaymentViewDto {
  @ApiProperty({ example: '0f6a3c2e9b7d4a1f8e5c2b9a6d3f0e7c' })
  job_id!: string;

  @ApiProperty({ nullable: true, type: String, description: 'the hold transaction hash' })
  payment_id!: string | null;

  @ApiProperty({ example: '0.5', description: 'AITBC held at submit' })
  amount!: string;

  @ApiProperty({ example: 'AITBC' })
  currency!: 'AITBC';

  @ApiProperty({ enum: ['none', 'held', 'captured', 'refunded'] })
  status!: PaymentStatus;

  @ApiProperty({ example: '0.25', description: 'AITBC paid to the miner' })
  captured!: string;

  @ApiProperty({ example: '0.25', description: 'AITBC returned to the client' })
  refunded!: string;

  @ApiProperty({ nullable: true, type: String })
  hold_tx_hash!: string | null;

  @ApiProperty({ nullable: true, type: String })
  settlement_tx_hash!: string | null;
}
