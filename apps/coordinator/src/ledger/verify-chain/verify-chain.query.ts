import { Query } from '@nestjs/cqrs';

export interface ChainVerification {
  valid: boolean;
  /** the height of the last block checked (0 for an empty chain) */
  height: number;
  first_bad_height: number | null;
  reason: string | null;
}

export class VerifyChainQuery extends Query<ChainVerification> {}
