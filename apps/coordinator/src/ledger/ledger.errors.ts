import { AppError, ErrorCode } from '@aitbc/contracts';

/** A hold larger than the client's balance: the whole submit is refused. */
export class InsufficientBalanceError extends AppError {
  constructor() {
    super(ErrorCode.PAYMENT_REQUIRED, 'payment_amount exceeds the balance');
  }
}

/** No such account, or not the caller's: the two are indistinguishable, so accounts cannot be probed. */
export class AccountNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.ACCOUNT_NOT_FOUND, 'account not found');
  }
}

export class BlockNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.BLOCK_NOT_FOUND, 'block not found');
  }
}

export class TransactionNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.TRANSACTION_NOT_FOUND, 'transaction not found');
  }
}

/** No such receipt, no paid settlement behind it, or its settlement is not sealed into a block yet. */
export class ProofNotAvailableError extends AppError {
  constructor() {
    super(ErrorCode.PROOF_NOT_AVAILABLE, 'proof not available');
  }
}
